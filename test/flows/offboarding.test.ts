import { randomUUID } from 'node:crypto';
import { RequestStore } from '../../src/stores/request.store';
import { eventually } from '../support/eventually';
import {
  answerTo,
  apiKeyItem,
  cognitoUser,
  type FiledRequest,
  fileThroughDialog,
  finished,
  logEntries,
  recordCognitoCommands,
  requestStore,
  roleRows,
  seedApiKey,
  textIn,
} from '../support/onboarding-flow';
import { APPROVAL_CHANNEL, startTestBot, type TestBot } from '../support/test-bot';

function fileOffboarding(
  bot: TestBot,
  requester: string,
  userIds: string[],
  action: 'Delete the Cognito user' | 'Disable the Cognito user' | null,
): Promise<FiledRequest> {
  return fileThroughDialog(bot, requester, `user offboard ${userIds.join(' ')}`, {
    Reason: 'Left the company',
    ...(action ? { Action: action } : {}),
  });
}

/** Makes one kind of Cognito call fail `times` times, as an outage would. */
function failCognito(bot: TestBot, commandName: string, times: number): void {
  let left = times;
  bot.app.backend.clients.cognito.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === commandName && left > 0) {
        left -= 1;
        throw Object.assign(new Error('Cognito is unavailable'), {
          name: 'ServiceUnavailableException',
        });
      }
      return next(args);
    },
    { step: 'initialize', name: `fail-${commandName}-${randomUUID()}` },
  );
}

describe('offboarding', () => {
  let bot: TestBot;
  beforeAll(async () => {
    bot = await startTestBot({ env: { OFFBOARD_APPROVALS: '2' } });
    await bot.deployment.addRole('viewer');
    await bot.deployment.addRole('editor');
    for (const admin of ['ada', 'alan', 'bea']) {
      await bot.deployment.addVamsUser(`${admin}@example.com`, ['admin']);
      bot.slack.addUser({
        id: `U0${admin.toUpperCase()}`,
        email: `${admin}@example.com`,
        emailConfirmed: true,
      });
    }
  });
  afterAll(() => bot.stop());

  it('needs two approvers, then removes roles, deactivates keys, signs out and deletes, each step audited', async () => {
    await bot.deployment.addVamsUser('leaver', ['viewer', 'editor'], 'leaver@example.com');
    const keys = [
      await seedApiKey(bot.deployment, 'leaver'),
      await seedApiKey(bot.deployment, 'leaver'),
    ];
    const sent = recordCognitoCommands(bot);
    const filed = await fileOffboarding(bot, 'U0ADA', ['leaver'], 'Delete the Cognito user');
    await bot.driver.clickButton('U0ALAN', filed.card, 'Approve');
    await eventually(() => {
      const card = bot.slack
        .messages(APPROVAL_CHANNEL)
        .find((message) => message.ts === filed.card.ts);
      if (!textIn(card?.blocks).includes('1 of 2 approvals')) throw new Error('tally not shown');
    });
    expect((await requestStore(bot).get(filed.id))?.status).toBe('pending');
    expect(await roleRows(bot.deployment, 'leaver')).toHaveLength(2);

    await bot.driver.clickButton('U0BEA', filed.card, 'Approve');
    const done = await finished(bot, filed);
    expect(done.status).toBe('succeeded');
    expect(await roleRows(bot.deployment, 'leaver')).toEqual([]);
    for (const apiKeyId of keys) {
      const key = await apiKeyItem(bot.deployment, apiKeyId);
      expect(key?.isActive).toBe('false');
      expect(String(key?.updatedAt)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/);
    }
    expect(await cognitoUser(bot.deployment, 'leaver')).toBeUndefined();
    expect(sent.filter((command) => command.command === 'AdminUserGlobalSignOutCommand')).toEqual([
      {
        command: 'AdminUserGlobalSignOutCommand',
        input: { UserPoolId: bot.deployment.userPoolId, Username: 'leaver' },
      },
    ]);
    const events = await new RequestStore(
      bot.deployment.clients.documents,
      bot.deployment.tables.bot,
    ).events(filed.id);
    expect(
      events.filter((event) => event.type === 'step-done').map((event) => event.detail?.step),
    ).toEqual([
      'last-admin-check',
      'roles:leaver',
      'keys:leaver',
      'signout:leaver',
      'cognito:leaver',
    ]);
    const authChanges = logEntries(bot)
      .map((entry) => String(entry.msg))
      .filter((msg) => msg.includes('[AUTHCHANGES]') && msg.includes(filed.id));
    expect(authChanges.filter((msg) => msg.includes('type: userRoleDelete'))).toHaveLength(2);
    expect(authChanges.filter((msg) => msg.includes('type: apiKeyUpdate'))).toHaveLength(2);
    expect(authChanges.filter((msg) => msg.includes('type: cognitoUserDelete'))).toHaveLength(1);
  });

  it('disables instead of deleting when asked', async () => {
    await bot.deployment.addVamsUser('pauser', ['viewer'], 'pauser@example.com');
    const filed = await fileOffboarding(bot, 'U0ADA', ['pauser'], 'Disable the Cognito user');
    await bot.driver.clickButton('U0ALAN', filed.card, 'Approve');
    await bot.driver.clickButton('U0BEA', filed.card, 'Approve');
    expect((await finished(bot, filed)).status).toBe('succeeded');
    expect((await cognitoUser(bot.deployment, 'pauser'))?.Enabled).toBe(false);
    expect(await roleRows(bot.deployment, 'pauser')).toEqual([]);
  });

  it('a failure at the sign-out leaves roles and keys done and recorded; Retry finishes without repeating them', async () => {
    await bot.deployment.addVamsUser('flaky', ['viewer'], 'flaky@example.com');
    const key = await seedApiKey(bot.deployment, 'flaky');
    failCognito(bot, 'AdminUserGlobalSignOutCommand', 1);
    const filed = await fileOffboarding(bot, 'U0ADA', ['flaky'], 'Delete the Cognito user');
    await bot.driver.clickButton('U0ALAN', filed.card, 'Approve');
    await bot.driver.clickButton('U0BEA', filed.card, 'Approve');
    const failed = await finished(bot, filed);
    expect(failed.status).toBe('failed');
    expect(failed.failure).toContain('Sign flaky out everywhere');
    expect(failed.failure).toContain(
      'Already done: Check that an admin remains; Remove the VAMS roles of flaky; Deactivate the API keys of flaky',
    );
    expect(failed.steps.filter((step) => step.status === 'done').map((step) => step.name)).toEqual([
      'last-admin-check',
      'roles:flaky',
      'keys:flaky',
    ]);
    expect(await roleRows(bot.deployment, 'flaky')).toEqual([]);
    expect((await apiKeyItem(bot.deployment, key))?.isActive).toBe('false');
    expect(await cognitoUser(bot.deployment, 'flaky')).toBeDefined();
    const card = bot.slack
      .messages(APPROVAL_CHANNEL)
      .find((message) => message.ts === filed.card.ts);
    expect(textIn(card?.blocks)).toContain('Retry');

    const retried = await bot.driver.clickButton('U0ALAN', filed.card, 'Retry');
    expect(retried.status).toBe(200);
    const done = await eventually(async () => {
      const request = await requestStore(bot).get(filed.id);
      if (request?.status !== 'succeeded') throw new Error(`still ${request?.status}`);
      return request;
    });
    expect(done.steps.map((step) => step.status)).toEqual(['done', 'done', 'done', 'done', 'done']);
    expect(await cognitoUser(bot.deployment, 'flaky')).toBeUndefined();
    const events = await new RequestStore(
      bot.deployment.clients.documents,
      bot.deployment.tables.bot,
    ).events(filed.id);
    const doneSteps = events
      .filter((event) => event.type === 'step-done')
      .map((event) => event.detail?.step);
    expect(doneSteps.filter((step) => step === 'roles:flaky')).toHaveLength(1);
    expect(doneSteps.filter((step) => step === 'keys:flaky')).toHaveLength(1);
    expect(events.map((event) => event.type)).toContain('retried');
  });

  it('refuses a Retry by someone who may not approve', async () => {
    await bot.deployment.addVamsUser('viewer@example.com', ['viewer']);
    bot.slack.addUser({ id: 'U0VIEW', email: 'viewer@example.com', emailConfirmed: true });
    await bot.deployment.addVamsUser('flaky2', ['viewer'], 'flaky2@example.com');
    failCognito(bot, 'AdminUserGlobalSignOutCommand', 1);
    const filed = await fileOffboarding(bot, 'U0ADA', ['flaky2'], 'Disable the Cognito user');
    await bot.driver.clickButton('U0ALAN', filed.card, 'Approve');
    await bot.driver.clickButton('U0BEA', filed.card, 'Approve');
    expect((await finished(bot, filed)).status).toBe('failed');
    const click = await bot.driver.clickButton('U0VIEW', filed.card, 'Retry');
    expect(textIn((await answerTo(bot.slack, click)).args)).toContain('Only VAMS admins');
    expect((await requestStore(bot).get(filed.id))?.status).toBe('failed');
  });

  it('refuses self-offboarding in the dialog, before anything is filed', async () => {
    const before = new Set(bot.slack.views.keys());
    await bot.driver.command('U0ADA', 'user offboard ada@example.com someone');
    await eventually(() => {
      const viewId = [...bot.slack.views.keys()].find((id) => !before.has(id));
      const view = viewId ? bot.slack.views.get(viewId)?.view : undefined;
      if (!JSON.stringify(view).includes('You cannot offboard yourself'))
        throw new Error('not refused yet');
      expect(view?.submit).toBeUndefined();
    });
  });

  it('refuses more than 50 people, and IDs that are not VAMS user IDs', async () => {
    const many = Array.from({ length: 51 }, (_, index) => `user${index}`).join(' ');
    expect(
      JSON.stringify((await bot.driver.command('U0ADA', `user offboard ${many}`)).ack),
    ).toContain('At most 50 people');
    expect(
      JSON.stringify((await bot.driver.command('U0ADA', 'user offboard ok bad!id')).ack),
    ).toContain('Not VAMS user IDs');
  });

  it('a dialog submitted before its draft is written still files the request', async () => {
    await bot.deployment.addVamsUser('quick-leaver', ['viewer'], 'quick-leaver@example.com');
    const name = `slow-draft-${randomUUID()}`;
    let slowed = 0;
    bot.app.backend.clients.documents.middlewareStack.add(
      (next, context) => async (args) => {
        const pk = JSON.stringify((args.input as { Item?: { pk?: unknown } }).Item?.pk ?? '');
        if (context.commandName?.startsWith('Put') && pk.includes('DRAFT#')) {
          slowed += 1;
          await new Promise((resolve) => setTimeout(resolve, 400));
        }
        return next(args);
      },
      { step: 'initialize', name },
    );
    try {
      const filed = await fileOffboarding(
        bot,
        'U0ADA',
        ['quick-leaver'],
        'Disable the Cognito user',
      );
      expect(slowed).toBe(1);
      expect((await requestStore(bot).get(filed.id))?.kind).toBe('user.offboard');
    } finally {
      bot.app.backend.clients.documents.middlewareStack.remove(name);
    }
  });

  it('refuses people VAMS does not know, in the dialog', async () => {
    const before = new Set(bot.slack.views.keys());
    await bot.driver.command('U0ADA', 'user offboard nobody-at-all');
    const viewId = await eventually(() => {
      const opened = [...bot.slack.views.keys()].find((id) => !before.has(id));
      if (!opened) throw new Error('no dialog');
      return opened;
    });
    const submitted = await bot.driver.submitView('U0ADA', viewId, {
      Action: 'Disable the Cognito user',
      Reason: 'x',
    });
    expect(JSON.stringify(submitted.ack)).toContain(
      'Not VAMS users (no Cognito user, role or key): nobody-at-all',
    );
  });
});
