import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import type { AccessRequest } from '../../src/domain/request';
import { RequestStore } from '../../src/stores/request.store';
import { startBotProcess, until } from '../support/bot-process';
import { attributesOf, cognitoUser, roleRows } from '../support/onboarding-flow';
import { SlackStandIn } from '../support/slack-standin';
import { APPROVAL_CHANNEL, startTestBot } from '../support/test-bot';
import { createTestDeployment, type TestDeployment } from '../support/vams-deployment';

async function cognitoSub(deployment: TestDeployment, userId: string): Promise<string | undefined> {
  return attributesOf(await cognitoUser(deployment, userId)).sub;
}

describe('a bot killed in the middle of onboarding', () => {
  let deployment: TestDeployment;
  let slack: SlackStandIn;
  let store: RequestStore;

  beforeAll(async () => {
    deployment = await createTestDeployment();
    slack = await SlackStandIn.start();
    store = new RequestStore(deployment.clients.documents, deployment.tables.bot);
    await deployment.addRole('manager');
    await deployment.addRole('viewer');
    await deployment.addVamsUser('ada@example.com', ['admin']);
    await deployment.addVamsUser('max@example.com', ['manager']);
    slack.addUser({ id: 'U0ADA', email: 'ada@example.com', emailConfirmed: true });
    slack.addUser({ id: 'U0MAX', email: 'max@example.com', emailConfirmed: true });
  });
  afterAll(async () => {
    await slack.stop();
    deployment.destroy();
  });

  it('after the Cognito user was created but before the role rows: the next start completes it once', async () => {
    const first = await startBotProcess(deployment, slack);
    await first.driver.command('U0MAX', 'user create');
    await slack.waitForCall('views.open');
    const viewId = [...slack.views.keys()].at(-1) ?? '';
    await first.driver.submitView('U0MAX', viewId, {
      'User ID': 'crash-test',
      Email: 'crash-test@example.com',
      Roles: ['viewer'],
      Reason: 'Proving recovery',
    });
    await slack.waitForCall('chat.postMessage', (call) => call.args.channel === APPROVAL_CHANNEL);
    const [card] = slack.messages(APPROVAL_CHANNEL);
    // Catch the bot right after it recorded the Cognito step, before any role row.
    const caught = slack.hold('chat.update', (args) =>
      JSON.stringify(args.blocks ?? '').includes(
        ':white_check_mark: Create Cognito user crash-test',
      ),
    );
    await first.driver.clickButton(
      'U0ADA',
      { channel: APPROVAL_CHANNEL, ts: card?.ts ?? '' },
      'Approve',
    );
    await caught.arrived;
    first.child.kill('SIGKILL');
    await once(first.child, 'exit');

    const [stranded] = (await store.open()).filter((request) => request.subject === 'crash-test');
    expect(stranded?.status).toBe('executing');
    expect(stranded?.steps.map((step) => [step.name, step.status])).toEqual([
      ['cognito-create', 'done'],
    ]);
    expect(await roleRows(deployment, 'crash-test')).toEqual([]);
    const subBefore = await cognitoSub(deployment, 'crash-test');
    expect(subBefore).toBeDefined();

    // The dead instance's lease lapses; a clock a few minutes ahead stands in for waiting.
    const second = await startTestBot({
      deployment,
      slack,
      env: { MANAGER_ROLES: 'manager' },
      tuning: { clock: () => new Date(Date.now() + 5 * 60_000) },
    });
    try {
      const finished = await until('the request to finish', async () => {
        const request = await store.get(stranded?.id ?? '');
        return request && ['succeeded', 'failed'].includes(request.status) ? request : undefined;
      });
      expect(finished.status).toBe('succeeded');
      expect((await roleRows(deployment, 'crash-test')).map((row) => row.roleName)).toEqual([
        'viewer',
      ]);
      expect(await cognitoSub(deployment, 'crash-test')).toBe(subBefore);
      const events = await store.events(finished.id);
      const stepsDone = events
        .filter((event) => event.type === 'step-done')
        .map((event) => event.detail?.step);
      expect(stepsDone).toEqual(['cognito-create', 'role:viewer']);
      expect(events.filter((event) => event.type === 'execution-started')).toHaveLength(2);
    } finally {
      caught.release();
      await second.stop();
    }
  }, 60_000);
});

describe('resuming a step that was started but never recorded', () => {
  let deployment: TestDeployment;
  let store: RequestStore;

  beforeAll(async () => {
    deployment = await createTestDeployment();
    store = new RequestStore(deployment.clients.documents, deployment.tables.bot);
    await deployment.addRole('viewer');
  });
  afterAll(() => deployment.destroy());

  const interrupted = (userId: string): AccessRequest => {
    const past = new Date(Date.now() - 60_000).toISOString();
    return {
      id: `RCRASH${userId.length}${randomBytes(2).toString('hex').toUpperCase()}`,
      kind: 'user.create',
      params: { userId, email: `${userId}@example.com`, roles: ['viewer'] },
      reason: 'recovery',
      requester: { slackUserId: 'U0MAX', vamsUserId: 'max@example.com' },
      subject: userId,
      status: 'executing',
      approvals: [
        { slackUserId: 'U0ADA', vamsUserId: 'ada@example.com', roles: ['admin'], at: past },
      ],
      requiredApprovals: 1,
      preflight: [],
      createdAt: past,
      expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      steps: [{ name: 'cognito-create', status: 'started', at: past }],
      lease: { owner: 'dead-instance', until: past },
      version: 3,
    };
  };

  it.each([
    ['the create went through before the crash', true],
    ['the create never reached Cognito', false],
  ])('%s: the user exists once and the roles follow', async (_case, createdBeforeCrash) => {
    const userId = createdBeforeCrash ? 'went-through' : 'never-reached';
    const request = interrupted(userId);
    await store.create(request);
    if (createdBeforeCrash) await deployment.addCognitoUser(userId, `${userId}@example.com`);
    const subBefore = createdBeforeCrash ? await cognitoSub(deployment, userId) : undefined;
    const bot = await startTestBot({ deployment });
    try {
      const finished = await until('the request to finish', async () => {
        const current = await store.get(request.id);
        return current && current.status !== 'executing' ? current : undefined;
      });
      expect(finished.status).toBe('succeeded');
      expect(finished.steps.find((step) => step.name === 'cognito-create')?.detail).toBe(
        createdBeforeCrash
          ? 'created (found after a restart)'
          : 'created; Cognito emails the invitation',
      );
      expect((await roleRows(deployment, userId)).map((row) => row.roleName)).toEqual(['viewer']);
      expect(await cognitoSub(deployment, userId)).toBeDefined();
      // Found, not made again: the user created before the crash is the one that stays.
      if (subBefore) expect(await cognitoSub(deployment, userId)).toBe(subBefore);
    } finally {
      await bot.stop();
    }
  });
});
