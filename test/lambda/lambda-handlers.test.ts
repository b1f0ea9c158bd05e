import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  FilterLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { approvedRequestIds, handleHttp, handleSchedule, handleStream } from '../../src/lambda';
import { EVENTS_PATH } from '../../src/slack/slack-runtime';
import { functionUrlEvent, type LambdaTestBot, startLambdaTestBot } from '../support/lambda-bot';
import {
  addPeople,
  apiKeyItem,
  clickCard,
  dmsTo,
  fileThroughDialog,
  keyFields,
  storedRequest,
  threadReplies,
} from '../support/onboarding-flow';
import { SlackDriver } from '../support/slack-driver';

// The serverless path end to end: the `http` handler, given signed Function URL events, files
// and records decisions and returns; the `worker`, given the bot table's stream record of an
// approved request, runs it, once however often the record arrives; the `schedule` handler does
// the long-lived bot's timed work.

async function roleRow(bot: LambdaTestBot, userId: string, roleName: string) {
  const found = await bot.deployment.clients.documents.send(
    new GetCommand({
      TableName: bot.deployment.tables.userRoles,
      Key: { userId, roleName },
      ConsistentRead: true,
    }),
  );
  return found.Item;
}

const KEY_VALUE = /vams_[A-Za-z0-9_-]{64}/g;

describe('on AWS Lambda', () => {
  let bot: LambdaTestBot;
  // The bot's clock runs ahead of the wall clock by this much: what is due comes due at once.
  let ahead = 0;

  const auditGroup = `vams-auth-changes-${Date.now()}`;
  const logs = new CloudWatchLogsClient({});

  beforeAll(async () => {
    await logs.send(new CreateLogGroupCommand({ logGroupName: auditGroup }));
    bot = await startLambdaTestBot(
      {
        VAMS_AUTH_AUDIT_LOG_GROUP: auditGroup,
        REQUEST_TTL_HOURS: '1',
        REMIND_AFTER_MINUTES: '1',
        GRANT_DURATIONS: '1,60',
        GRANT_MAX_MINUTES: '60',
      },
      { clock: () => new Date(Date.now() + ahead) },
    );
    await bot.deployment.addRole('viewer');
    await bot.deployment.addRole('editor');
    await addPeople(bot, [
      ['U0ADA', 'ada@example.com', ['admin']],
      ['U0BOB', 'bob@example.com', ['viewer']],
    ]);
  }, 60_000);
  afterAll(async () => {
    await bot.stop();
    logs.destroy();
  });

  it('http records the approval and returns; the worker, given the stream record twice at once, runs it once', async () => {
    const filed = await fileThroughDialog(bot, 'U0BOB', 'key request', keyFields('bob-ci'));
    const clicked = await clickCard(bot, 'U0ADA', filed, 'Approve');
    expect(clicked.status).toBe(200);
    // The click returned with the decision recorded and nothing run.
    const approved = await storedRequest(bot, filed.id);
    expect(approved.status).toBe('approved');
    expect(approved.kind).toBe('key.create');
    if (approved.kind !== 'key.create') return;
    expect(await apiKeyItem(bot.deployment, approved.params.apiKeyId)).toBeUndefined();

    const record = await bot.streamRecordOf(filed.id);
    const [first, second] = await Promise.all([
      handleStream(bot.lambda, record),
      handleStream(bot.lambda, record),
    ]);
    expect(first.batchItemFailures).toEqual([]);
    expect(second.batchItemFailures).toEqual([]);
    const done = await storedRequest(bot, filed.id);
    expect(done.status).toBe('succeeded');
    expect(await apiKeyItem(bot.deployment, approved.params.apiKeyId)).toBeDefined();
    // One key, one DM carrying it; the key creation audited once.
    expect(dmsTo(bot.slack, 'U0BOB').flatMap((text) => text.match(KEY_VALUE) ?? [])).toHaveLength(
      1,
    );
    expect(
      bot.logs.filter((line) => line.includes('[AUTHCHANGES][type: apiKeyCreate]')),
    ).toHaveLength(1);

    // VAMS's own audit log holds the change, once, without the key.
    const audited = await logs.send(new FilterLogEventsCommand({ logGroupName: auditGroup }));
    const lines = (audited.events ?? []).map((event) => event.message ?? '');
    expect(
      lines.filter((line) => line.startsWith('[AUTHCHANGES][type: apiKeyCreate]')),
    ).toHaveLength(1);
    expect(lines.every((line) => line.startsWith('[AUTHCHANGES]'))).toBe(true);
    expect(lines.some((line) => (line.match(KEY_VALUE) ?? []).length > 0)).toBe(false);

    // Delivered again later (a stream retry): the request has moved on, nothing runs.
    const again = await handleStream(bot.lambda, await bot.streamRecordOf(filed.id));
    expect(again.batchItemFailures).toEqual([]);
    expect(
      bot.logs.filter((line) => line.includes('[AUTHCHANGES][type: apiKeyCreate]')),
    ).toHaveLength(1);
  });

  it('the worker ignores records of anything but requests becoming approved', async () => {
    const filed = await fileThroughDialog(bot, 'U0BOB', 'key request', keyFields('bob-pending'));
    const pending = await bot.streamRecordOf(filed.id);
    expect((await handleStream(bot.lambda, pending)).batchItemFailures).toEqual([]);
    expect((await storedRequest(bot, filed.id)).status).toBe('pending');
    expect((await handleStream(bot.lambda, { Records: [] })).batchItemFailures).toEqual([]);
  });

  it('takes from a stream batch only request items whose new image is approved', () => {
    const record = (
      eventName: 'INSERT' | 'MODIFY' | 'REMOVE',
      image: Record<string, string>,
      sequence: string,
    ) => ({
      eventName,
      dynamodb: {
        SequenceNumber: sequence,
        NewImage: Object.fromEntries(
          Object.entries(image).map(([key, value]) => [key, { S: value }]),
        ),
      },
    });
    const approved = { pk: 'REQ#R1', entity: 'request', status: 'approved' };
    expect(
      approvedRequestIds({
        Records: [
          record('MODIFY', approved, '1'),
          record('INSERT', { ...approved, pk: 'REQ#R2' }, '2'),
          record('MODIFY', { ...approved, pk: 'REQ#R3', status: 'pending' }, '3'),
          record('MODIFY', { ...approved, pk: 'GRANT#G1', entity: 'grant' }, '4'),
          record('MODIFY', { ...approved, pk: 'LINK#R5' }, '5'),
          record('REMOVE', { ...approved, pk: 'REQ#R6' }, '6'),
        ],
      }),
    ).toEqual([
      { id: 'R1', sequence: '1' },
      { id: 'R2', sequence: '2' },
    ]);
  });

  it('schedule reminds the approvers, ends a grant and expires what is past its time, as the long-lived bot does', async () => {
    const grant = await fileThroughDialog(bot, 'U0BOB', 'role request', {
      Roles: ['editor'],
      Duration: '1 minute',
      Reason: 'Fix the broken asset pipeline',
    });
    await clickCard(bot, 'U0ADA', grant, 'Approve');
    await handleStream(bot.lambda, await bot.streamRecordOf(grant.id));
    expect((await storedRequest(bot, grant.id)).status).toBe('succeeded');
    expect(await roleRow(bot, 'bob@example.com', 'editor')).toBeDefined();
    const waiting = await fileThroughDialog(bot, 'U0BOB', 'key request', keyFields('bob-late'));

    ahead += 90_000;
    await handleSchedule(bot.lambda, { time: new Date(Date.now() + ahead).toISOString() });
    expect(await roleRow(bot, 'bob@example.com', 'editor')).toBeUndefined();
    const reminders = threadReplies(bot.slack, waiting).filter((reply) =>
      reply.text?.includes('Reminder 1'),
    );
    expect(reminders).toHaveLength(1);
    expect((await storedRequest(bot, waiting.id)).status).toBe('pending');

    ahead += 2 * 3_600_000;
    await handleSchedule(bot.lambda, { time: new Date(Date.now() + ahead).toISOString() });
    expect((await storedRequest(bot, waiting.id)).status).toBe('expired');
  });

  it('refuses unsigned, stale and malformed events without reaching Bolt, and never throws', async () => {
    const body = 'command=%2Fvams&text=help&user_id=U0BOB';
    const unsigned = await handleHttp(
      bot.lambda,
      functionUrlEvent({ 'content-type': 'application/x-www-form-urlencoded' }, body),
    );
    expect(unsigned.statusCode).toBe(401);
    const now = Math.floor(Date.now() / 1000);
    expect((await bot.driver.sendSigned(body, { timestamp: now - 600 })).status).toBe(401);
    expect((await bot.driver.sendSigned(body, { timestamp: now + 600 })).status).toBe(401);
    expect((await bot.driver.sendSigned('payload=null')).status).toBe(400);
    const noHeaders = await handleHttp(bot.lambda, {
      rawPath: EVENTS_PATH,
      requestContext: { http: { method: 'POST' } },
    });
    expect(noHeaders.statusCode).toBe(401);
    expect(
      (await handleHttp(bot.lambda, functionUrlEvent({}, '', { path: '/other' }))).statusCode,
    ).toBe(404);
    expect(
      (await handleHttp(bot.lambda, functionUrlEvent({}, '', { method: 'GET' }))).statusCode,
    ).toBe(405);
    expect(
      (await handleHttp(bot.lambda, functionUrlEvent({}, '', { path: '/healthz', method: 'GET' })))
        .statusCode,
    ).toBe(200);
  });

  it('reads a base64 body as UTF-8, so a signed non-ASCII text passes', async () => {
    // API Gateway may hand the body over base64-encoded; the signature is over its UTF-8 text.
    const base64 = new SlackDriver({
      eventsUrl: 'lambda:base64',
      signingSecret: bot.signingSecret,
      slack: bot.slack,
      transport: async ({ headers, body }) => {
        const answer = await handleHttp(
          bot.lambda,
          functionUrlEvent(headers, body, { base64: true }),
        );
        return { status: answer.statusCode, text: answer.body };
      },
    });
    const sent = await base64.command('U0BOB', 'whoami — Zoë');
    expect(sent.status).toBe(200);
    // Bolt handled it: the answer reached the command's response_url.
    await bot.slack.waitForCall('response_url', (call) => call.args.url === sent.responseUrl);
  });

  it('acknowledges a delivery Slack retried without handling it again', async () => {
    const event = JSON.stringify({
      type: 'event_callback',
      team_id: bot.slack.teamId,
      event: { type: 'app_home_opened', user: 'U0BOB', tab: 'home', channel: 'D0HOME' },
    });
    const published = () =>
      bot.slack.calls.filter((call) => call.method === 'views.publish').length;
    const before = published();
    const json = { contentType: 'application/json' };
    const retried = await bot.driver.sendSigned(event, {
      ...json,
      headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' },
    });
    expect(retried.status).toBe(200);
    expect(published()).toBe(before);
    expect((await bot.driver.sendSigned(event, json)).status).toBe(200);
    expect(published()).toBe(before + 1);
  });
});
