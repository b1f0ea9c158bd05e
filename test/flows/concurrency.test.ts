import { eventually } from '../support/eventually';
import { gatherScans } from '../support/gathered-scans';
import {
  dmsTo,
  type FiledRequest,
  fileOnboarding,
  fileThroughDialog,
  finished,
  recordCognitoCommands,
  requestStore,
  roleRows,
  type SentCognitoCommand,
  textIn,
  threadReplies,
} from '../support/onboarding-flow';
import type { RecordedCall } from '../support/slack-standin';
import { startTestBot, type TestBot } from '../support/test-bot';

// Exactly once: clicks at the same moment, on one instance or on two,
// give one approval and one execution.

const APPROVERS = ['U0A1', 'U0A2', 'U0A3', 'U0A4', 'U0A5'];
const CLICKS = 20;

async function seed(bot: TestBot): Promise<void> {
  await bot.deployment.addRole('viewer');
  await bot.deployment.addRole('editor');
  await bot.deployment.addVamsUser('req@example.com', ['viewer']);
  bot.slack.addUser({ id: 'U0REQ', email: 'req@example.com', emailConfirmed: true });
  for (const [index, slackUserId] of APPROVERS.entries()) {
    const email = `approver${index + 1}@example.com`;
    await bot.deployment.addVamsUser(email, ['admin']);
    bot.slack.addUser({ id: slackUserId, email, emailConfirmed: true });
  }
}

/**
 * 20 Approve clicks at once: five admins, each clicking four times, spread over the instances.
 * Returns what the clickers were answered, once the request has ended and every click is done.
 */
async function clickTogether(instances: TestBot[], filed: FiledRequest): Promise<RecordedCall[]> {
  const [first] = instances;
  if (!first) throw new Error('no instance');
  const clicks = await Promise.all(
    Array.from({ length: CLICKS }, (_, index) => {
      const instance = instances[index % instances.length] ?? first;
      const approver = APPROVERS[index % APPROVERS.length] ?? '';
      return instance.driver.clickButton(approver, filed.card, 'Approve');
    }),
  );
  expect(clicks.map((click) => click.status)).toEqual(Array(CLICKS).fill(200));
  await finished(first, filed);
  const urls = new Set(clicks.map((click) => click.responseUrl));
  // One click wins and is answered by the card itself; every other click is told why not.
  return eventually(() => {
    const answers = first.slack
      .callsTo('response_url')
      .filter((call) => urls.has(String(call.args.url)));
    expect(answers).toHaveLength(CLICKS - 1);
    return answers;
  }, 10_000);
}

async function expectRanOnce(
  bot: TestBot,
  filed: FiledRequest,
  answers: RecordedCall[],
  sent: SentCognitoCommand[],
): Promise<void> {
  const request = await requestStore(bot).get(filed.id);
  expect(request?.status).toBe('succeeded');
  expect(request?.approvals).toHaveLength(1);

  for (const answer of answers) {
    expect(answer.args.response_type).toBe('ephemeral');
    expect(String(answer.args.text)).toMatch(
      new RegExp(`^${filed.id} is already (approved|executing|succeeded); nothing was changed\\.$`),
    );
  }

  const events = await requestStore(bot).events(filed.id);
  const count = (type: string) => events.filter((event) => event.type === type).length;
  expect(count('approved')).toBe(1);
  expect(count('execution-started')).toBe(1);
  expect(count('succeeded')).toBe(1);
  expect(count('click-refused')).toBe(CLICKS - 1);
  expect(
    events.filter((event) => event.type === 'step-done').map((event) => event.detail?.step),
  ).toEqual(['cognito-create', 'role:viewer', 'role:editor']);

  expect(sent.filter((call) => call.command === 'AdminCreateUserCommand')).toHaveLength(1);
  const rows = await roleRows(bot.deployment, filed.userId);
  expect(rows.map((row) => row.roleName).sort()).toEqual(['editor', 'viewer']);

  const results = threadReplies(bot.slack, filed).filter((message) =>
    textIn(message.blocks).includes(`VAMS user ${filed.userId} was created`),
  );
  expect(results).toHaveLength(1);
  const outcomes = dmsTo(bot.slack, 'U0REQ').filter((text) => text.includes(`*${filed.id}*:`));
  expect(outcomes).toHaveLength(1);
}

describe('20 simultaneous Approve clicks on one instance', () => {
  let bot: TestBot;
  let sent: SentCognitoCommand[];

  beforeAll(async () => {
    bot = await startTestBot();
    sent = recordCognitoCommands(bot);
    await seed(bot);
  });
  afterAll(() => bot.stop());

  it('give one approval, one execution, one Cognito user and one set of role rows', async () => {
    const filed = await fileOnboarding(bot, 'U0REQ', {
      userId: 'one-instance',
      roles: ['viewer', 'editor'],
    });
    const answers = await clickTogether([bot], filed);
    await expectRanOnce(bot, filed, answers, sent);
  });
});

describe('20 simultaneous Approve clicks split over two instances sharing the tables', () => {
  let first: TestBot;
  let second: TestBot;
  let sent: SentCognitoCommand[];

  beforeAll(async () => {
    first = await startTestBot();
    second = await startTestBot({ deployment: first.deployment, slack: first.slack });
    // Each instance has its own SDK client; together they are everything sent to Cognito.
    sent = recordCognitoCommands(second, recordCognitoCommands(first));
    await seed(first);
  });
  afterAll(async () => {
    await second.stop();
    await first.stop();
  });

  it('give one approval, one execution, one Cognito user and one set of role rows', async () => {
    const filed = await fileOnboarding(first, 'U0REQ', {
      userId: 'two-instances',
      roles: ['viewer', 'editor'],
    });
    const answers = await clickTogether([first, second], filed);
    await expectRanOnce(first, filed, answers, sent);
  });
});

describe('three admins offboarding each other at the same moment, on two instances', () => {
  let first: TestBot;
  let second: TestBot;
  // Each offboards the next one; the third admin approves, so nobody decides about themselves.
  const admins = [
    { slackUserId: 'U0ANN', userId: 'ann@example.com' },
    { slackUserId: 'U0BEN', userId: 'ben@example.com' },
    { slackUserId: 'U0CAT', userId: 'cat@example.com' },
  ];

  beforeAll(async () => {
    const env = { OFFBOARD_APPROVALS: '1' };
    first = await startTestBot({ env });
    second = await startTestBot({ env, deployment: first.deployment, slack: first.slack });
    for (const admin of admins) {
      await first.deployment.addVamsUser(admin.userId, ['admin']);
      first.slack.addUser({ id: admin.slackUserId, email: admin.userId, emailConfirmed: true });
    }
  });
  afterAll(async () => {
    await second.stop();
    await first.stop();
  });

  it('leave one admin; the offboarding that would remove the last one fails and says why', async () => {
    const filed: FiledRequest[] = [];
    for (const [index, admin] of admins.entries()) {
      const leaver = admins[(index + 1) % admins.length]?.userId ?? '';
      filed.push(
        await fileThroughDialog(first, admin.slackUserId, `user offboard ${leaver}`, {
          Action: 'Delete the Cognito user',
          Reason: 'Reorganisation',
        }),
      );
    }
    // Every instance counts the admins at the same moment, before any of them removes one.
    const gathered = gatherScans(
      [first.app.backend.clients.documents, second.app.backend.clients.documents],
      first.deployment.tables.userRoles,
      admins.length,
      1_000,
    );
    try {
      const clicks = await Promise.all(
        filed.map((request, index) => {
          const instance = index % 2 === 0 ? first : second;
          const approver = admins[(index + 2) % admins.length]?.slackUserId ?? '';
          return instance.driver.clickButton(approver, request.card, 'Approve');
        }),
      );
      expect(clicks.map((click) => click.status)).toEqual([200, 200, 200]);
      const ended = await Promise.all(filed.map((request) => finished(first, request, 30_000)));
      const remaining = (
        await Promise.all(
          admins.map(async (admin) => (await roleRows(first.deployment, admin.userId)).length),
        )
      ).filter((rows) => rows > 0);
      expect(remaining).toHaveLength(1);
      expect(ended.map((request) => request.status).sort()).toEqual([
        'failed',
        'succeeded',
        'succeeded',
      ]);
      const index = ended.findIndex((request) => request.status === 'failed');
      const refused = filed[index];
      if (!refused) throw new Error('no refused request');
      expect(ended[index]?.failure).toContain('the last VAMS admin');
      expect(textIn(threadReplies(first.slack, refused).map((reply) => reply.blocks))).toContain(
        'this would remove the last VAMS admin',
      );
    } finally {
      gathered.remove();
    }
  }, 60_000);
});
