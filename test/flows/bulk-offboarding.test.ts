import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { RequestStore } from '../../src/stores/request.store';
import { eventually } from '../support/eventually';
import {
  apiKeyItem,
  cognitoUser,
  dmsTo,
  fileThroughDialog,
  requestStore,
  roleRows,
  textIn,
} from '../support/onboarding-flow';
import { APPROVAL_CHANNEL, startTestBot, type TestBot } from '../support/test-bot';

/** Every third Cognito call is throttled, as a pool at its quota answers. */
function throttleEveryThirdCall(bot: TestBot): { throttled: () => number } {
  let calls = 0;
  let throttled = 0;
  bot.app.backend.clients.cognito.middlewareStack.add(
    (next) => async (args) => {
      calls += 1;
      if (calls % 3 === 0) {
        throttled += 1;
        throw Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' });
      }
      return next(args);
    },
    { step: 'initialize', name: 'throttleEveryThirdCall' },
  );
  return { throttled: () => throttled };
}

// Filing reads 50 people first; a loaded machine may take more than the usual 5 s.
const FILING_MS = 20_000;

async function fileBulk(
  bot: TestBot,
  userIds: string[],
  fields: Record<string, string>,
): Promise<string> {
  return (
    await fileThroughDialog(bot, 'U0ADA', `user offboard ${userIds.join(' ')}`, fields, FILING_MS)
  ).id;
}

describe('bulk offboarding of 50 people in one request', () => {
  let bot: TestBot;
  const userIds = Array.from(
    { length: 50 },
    (_, index) => `leaver-${String(index).padStart(2, '0')}`,
  );

  beforeAll(async () => {
    bot = await startTestBot();
    await bot.deployment.addRole('viewer');
    for (const admin of ['ada', 'alan']) {
      await bot.deployment.addVamsUser(`${admin}@example.com`, ['admin']);
      bot.slack.addUser({
        id: `U0${admin.toUpperCase()}`,
        email: `${admin}@example.com`,
        emailConfirmed: true,
      });
    }
    for (const userId of userIds)
      await bot.deployment.addVamsUser(userId, ['viewer'], `${userId}@example.com`);
  }, 60_000);
  afterAll(() => bot.stop());

  it('one approval, a checklist per person, all 50 done although Cognito throttles every third call', async () => {
    const id = await fileBulk(bot, userIds, {
      Action: 'Delete the Cognito user',
      Reason: 'Team closed',
    });
    const card = bot.slack
      .messages(APPROVAL_CHANNEL)
      .find((message) => textIn(message.blocks).includes(id));
    expect(textIn(card?.blocks)).toContain('`leaver-00`');
    const throttling = throttleEveryThirdCall(bot);
    await bot.driver.clickButton(
      'U0ALAN',
      { channel: APPROVAL_CHANNEL, ts: card?.ts ?? '' },
      'Approve',
    );
    const done = await eventually(async () => {
      const request = await requestStore(bot).get(id);
      if (request?.status !== 'succeeded' && request?.status !== 'failed') {
        throw new Error(`still ${request?.status}`);
      }
      return request;
    }, 90_000);
    expect(done?.status).toBe('succeeded');
    expect(throttling.throttled()).toBeGreaterThan(30);
    expect(done?.steps).toHaveLength(1 + 50 * 4);
    expect(done?.steps.every((step) => step.status === 'done')).toBe(true);
    for (const userId of userIds) {
      expect(await roleRows(bot.deployment, userId)).toEqual([]);
      expect(await cognitoUser(bot.deployment, userId)).toBeUndefined();
    }
    const events = await new RequestStore(
      bot.deployment.clients.documents,
      bot.deployment.tables.bot,
    ).events(id);
    expect(events.filter((event) => event.type === 'step-done')).toHaveLength(1 + 50 * 4);
    await eventually(() => {
      if (!dmsTo(bot.slack, 'U0ADA').some((text) => text.includes('Offboarded 50 users')))
        throw new Error('not told yet');
    });
    // chat.update is rate-limited by Slack: 200 steps must not mean 200 updates.
    expect(bot.slack.callsTo('chat.update').length).toBeLessThan(60);
  }, 120_000);
});

describe('offboarding with users in an external identity provider', () => {
  let bot: TestBot;
  beforeAll(async () => {
    bot = await startTestBot({ env: { COGNITO_USER_POOL_ID: '' } });
    await bot.deployment.addRole('viewer');
    for (const admin of ['ada', 'alan']) {
      await bot.deployment.addVamsUser(`${admin}@example.com`, ['admin']);
      bot.slack.addUser({
        id: `U0${admin.toUpperCase()}`,
        email: `${admin}@example.com`,
        emailConfirmed: true,
      });
    }
    await bot.deployment.addVamsUser('idp-user', ['viewer'], 'idp-user@example.com');
    await bot.deployment.clients.documents.send(
      new PutCommand({
        TableName: bot.deployment.tables.apiKeys,
        Item: {
          apiKeyId: 'key-idp-user',
          apiKeyName: 'ci',
          apiKeyHash: 'ab'.repeat(32),
          description: 'CI',
          userId: 'idp-user',
          createdBy: 'idp-user',
          createdAt: '2026-01-01T00:00:00.000000+00:00',
          updatedAt: '2026-01-01T00:00:00.000000+00:00',
          expiresAt: '',
          isActive: 'true',
        },
      }),
    );
  });
  afterAll(() => bot.stop());

  it('still removes roles and deactivates keys, with no Action to choose and no Cognito step', async () => {
    const id = await fileBulk(bot, ['idp-user'], { Reason: 'Left' });
    const card = bot.slack
      .messages(APPROVAL_CHANNEL)
      .find((message) => textIn(message.blocks).includes(id));
    await bot.driver.clickButton(
      'U0ALAN',
      { channel: APPROVAL_CHANNEL, ts: card?.ts ?? '' },
      'Approve',
    );
    const done = await eventually(async () => {
      const request = await requestStore(bot).get(id);
      if (request?.status !== 'succeeded' && request?.status !== 'failed')
        throw new Error('still running');
      return request;
    });
    expect(done.status).toBe('succeeded');
    expect(done.steps.map((step) => step.name)).toEqual([
      'last-admin-check',
      'roles:idp-user',
      'keys:idp-user',
    ]);
    expect(await roleRows(bot.deployment, 'idp-user')).toEqual([]);
    expect((await apiKeyItem(bot.deployment, 'key-idp-user'))?.isActive).toBe('false');
  });
});
