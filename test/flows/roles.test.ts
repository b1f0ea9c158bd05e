import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { eventually } from '../support/eventually';
import {
  cardMessage,
  dmsTo,
  type FiledRequest,
  fileThroughDialog,
  finished,
  openedDialog,
  storedRequest,
  textIn,
  threadReplies,
} from '../support/onboarding-flow';
import { SlackStandIn } from '../support/slack-standin';
import { startTestBot, type TestBot } from '../support/test-bot';
import { createTestDeployment, type TestDeployment } from '../support/vams-deployment';

const MINUTE = 60_000;

async function row(deployment: TestDeployment, userId: string, roleName: string) {
  const found = await deployment.clients.documents.send(
    new GetCommand({
      TableName: deployment.tables.userRoles,
      Key: { userId, roleName },
      ConsistentRead: true,
    }),
  );
  return found.Item;
}

/** The options a dialog's `Duration` offers, by label. */
function durationOptions(bot: TestBot, viewId: string): string[] {
  const blocks = bot.slack.views.get(viewId)?.view.blocks ?? [];
  const duration = (
    blocks as { block_id?: string; element?: { options?: { text: { text: string } }[] } }[]
  ).find((block) => block.block_id === 'duration');
  return (duration?.element?.options ?? []).map((option) => option.text.text);
}

/** What a command's dialog turned into once the bot checked who asks. */
async function dialogNotice(bot: TestBot, slackUserId: string, text: string, expected: string) {
  const viewId = await openedDialog(bot, slackUserId, text);
  return eventually(() => {
    const shown = textIn(bot.slack.views.get(viewId)?.view.blocks);
    if (!shown.includes(expected)) throw new Error(`not shown yet: ${shown}`);
    return shown;
  });
}

async function replyTo(bot: TestBot, responseUrl: string | undefined): Promise<string> {
  const reply = await bot.slack.waitForCall(
    'response_url',
    (call) => call.args.url === responseUrl,
  );
  return textIn(reply.args);
}

async function approved(bot: TestBot, approver: string, filed: FiledRequest) {
  await bot.driver.clickButton(approver, filed.card, 'Approve');
  const request = await finished(bot, filed);
  expect(request.status).toBe('succeeded');
  return request;
}

describe('roles and grants from Slack', () => {
  let bot: TestBot;
  // The bot's clock runs ahead of the wall clock by this much: grants end without waiting.
  let ahead = 0;
  beforeAll(async () => {
    bot = await startTestBot({
      env: { MANAGER_ROLES: 'manager', GRANT_DURATIONS: '1,60', GRANT_MAX_MINUTES: '60' },
      tuning: { clock: () => new Date(Date.now() + ahead), sweepMs: 200 },
    });
    for (const role of ['viewer', 'editor', 'manager']) await bot.deployment.addRole(role);
    await bot.deployment.addVamsUser('ada@example.com', ['admin']);
    await bot.deployment.addVamsUser('alan@example.com', ['admin']);
    await bot.deployment.addVamsUser('max@example.com', ['manager']);
    await bot.deployment.addVamsUser('kim', ['viewer'], 'kim@example.com');
    await bot.deployment.addVamsUser('bob', ['viewer'], 'bob@example.com');
    bot.slack.addUser({ id: 'U0ADA', email: 'ada@example.com', emailConfirmed: true });
    bot.slack.addUser({ id: 'U0ALAN', email: 'alan@example.com', emailConfirmed: true });
    bot.slack.addUser({ id: 'U0MAX', email: 'max@example.com', emailConfirmed: true });
    bot.slack.addUser({ id: 'U0KIM', email: 'kim@example.com', emailConfirmed: true });
  });
  afterAll(() => bot.stop());

  it('offers the configured durations, and Permanent only to role assign', async () => {
    const request = await openedDialog(bot, 'U0KIM', 'role request');
    expect(durationOptions(bot, request)).toEqual(['1 minute', '1 hour']);
    const assign = await openedDialog(bot, 'U0ADA', 'role assign bob');
    expect(durationOptions(bot, assign)).toEqual(['1 minute', '1 hour', 'Permanent']);
  });

  it('a self-requested 1-minute grant: approved, held, then gone by itself, the thread and DM told', async () => {
    const filed = await fileThroughDialog(bot, 'U0KIM', 'role request', {
      Roles: ['editor'],
      Duration: '1 minute',
      Reason: 'Fix the broken asset pipeline',
    });
    const request = await storedRequest(bot, filed.id);
    expect(request).toMatchObject({ kind: 'role.request', subject: 'kim' });
    expect(textIn(cardMessage(bot.slack, filed).blocks)).toContain('1 minute');
    // Managers may not approve role requests; the grantee may not approve their own.
    const byManager = await bot.driver.clickButton('U0MAX', filed.card, 'Approve');
    expect(await replyTo(bot, byManager.responseUrl)).toContain(
      'Managers may decide onboarding requests only',
    );
    const bySelf = await bot.driver.clickButton('U0KIM', filed.card, 'Approve');
    expect(await replyTo(bot, bySelf.responseUrl)).toContain(
      'Only VAMS admins can decide this request',
    );
    expect((await storedRequest(bot, filed.id)).status).toBe('pending');
    await approved(bot, 'U0ALAN', filed);
    const written = await row(bot.deployment, 'kim', 'editor');
    expect(written).toEqual({
      userId: 'kim',
      roleName: 'editor',
      createdOn: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/),
    });
    const list = await bot.driver.command('U0KIM', 'role list kim');
    const listed = await replyTo(bot, list.responseUrl);
    expect(listed).toMatch(/`editor`: until .* \(grant G[0-9A-Z]+-1, requested by <@U0KIM>\)/);
    expect(listed).toContain('`viewer`: permanent');
    ahead += MINUTE + 1_000;
    // The periodic sweep (every 200 ms here, 30 s by default) ends it: no call from the test.
    await eventually(async () => {
      if (await row(bot.deployment, 'kim', 'editor')) throw new Error('the row is still there');
    }, 5_000);
    await eventually(() => {
      const said = threadReplies(bot.slack, filed)
        .map((reply) => textIn(reply.blocks))
        .join('\n');
      if (!said.includes('the role row was deleted')) throw new Error(`thread: ${said}`);
    });
    await eventually(() => {
      if (!dmsTo(bot.slack, 'U0KIM').some((dm) => dm.includes('the role row was deleted')))
        throw new Error('no DM yet');
    });
    expect(await row(bot.deployment, 'kim', 'viewer')).toBeDefined();
  });

  it('a grant given back early with role release: the row goes now, the thread says so', async () => {
    const filed = await fileThroughDialog(bot, 'U0KIM', 'role request', {
      Roles: ['editor'],
      Duration: '1 hour',
      Reason: 'Review the new models',
    });
    await approved(bot, 'U0ADA', filed);
    expect(await row(bot.deployment, 'kim', 'editor')).toBeDefined();
    const release = await bot.driver.command('U0KIM', 'role release editor');
    const reply = await replyTo(bot, release.responseUrl);
    expect(reply).toContain('Released grant');
    expect(await row(bot.deployment, 'kim', 'editor')).toBeUndefined();
    await eventually(() => {
      const said = threadReplies(bot.slack, filed)
        .map((m) => textIn(m.blocks))
        .join('\n');
      if (!said.includes('was given back early by the grantee')) throw new Error(said);
    });
    const again = await bot.driver.command('U0KIM', 'role release editor');
    expect(await replyTo(bot, again.responseUrl)).toContain('no running grant');
  });

  it('reminds the grantee 15 minutes before the end; Extend opens a request, Release now ends it', async () => {
    const filed = await fileThroughDialog(bot, 'U0KIM', 'role request', {
      Roles: ['editor'],
      Duration: '1 hour',
      Reason: 'Finish the material library',
    });
    await approved(bot, 'U0ADA', filed);
    const channel = bot.slack.dmChannelOf('U0KIM');
    ahead += 46 * MINUTE;
    const grantId = `G${filed.id.slice(1)}-1`;
    const remindersOf = () =>
      bot.slack
        .messages(channel)
        .filter((message) => textIn(message.blocks).includes('Release now'));
    const reminder = await eventually(() => {
      const found = remindersOf().find((message) => textIn(message.blocks).includes(grantId));
      if (!found) throw new Error('no reminder yet');
      return found;
    }, 5_000);
    // Once, however many sweeps run in the window.
    await new Promise((resolve) => setTimeout(resolve, 600));
    // None for the 1-minute grant before it: it would have come as the grant began.
    expect(remindersOf()).toHaveLength(1);
    const before = new Set(bot.slack.views.keys());
    await bot.driver.clickButton('U0KIM', { channel, ts: reminder.ts }, 'Extend');
    const extended = await eventually(() => {
      const opened = [...bot.slack.views.entries()].find(([id]) => !before.has(id));
      if (!opened) throw new Error('no dialog yet');
      return opened[1];
    });
    expect(textIn(extended.view.blocks)).toContain('Ask for VAMS roles for yourself');
    expect(JSON.stringify(extended.view)).toContain('"initial_options"');
    const release = await bot.driver.clickButton(
      'U0KIM',
      { channel, ts: reminder.ts },
      'Release now',
    );
    expect(await replyTo(bot, release.responseUrl)).toContain('Released grant');
    expect(await row(bot.deployment, 'kim', 'editor')).toBeUndefined();
  });

  it('refuses a permanent grant asked for oneself, even from a crafted submission', async () => {
    const viewId = await openedDialog(bot, 'U0KIM', 'role request');
    const submitted = await bot.driver.submitView(
      'U0KIM',
      viewId,
      { Roles: ['editor'], Reason: 'Forever, please' },
      { crafted: { Duration: 'permanent' } },
    );
    expect(submitted.ack).toEqual({
      response_action: 'errors',
      errors: { duration: 'Grants you ask for yourself end by themselves; choose a duration.' },
    });
    const tooLong = await bot.driver.submitView(
      'U0KIM',
      viewId,
      { Roles: ['editor'], Reason: 'A week, please' },
      { crafted: { Duration: '10080' } },
    );
    expect(JSON.stringify(tooLong.ack)).toContain('at most 1 hour for yourself');
  });

  it('a grant of an admin role is privileged: admins only', async () => {
    const filed = await fileThroughDialog(bot, 'U0KIM', 'role request', {
      Roles: ['admin'],
      Duration: '1 hour',
      Reason: 'Rotate the service keys',
    });
    expect(textIn(cardMessage(bot.slack, filed).blocks)).toContain('Privileged');
    expect((await storedRequest(bot, filed.id)).privileged).toEqual(['admin']);
    await bot.driver.clickButton('U0KIM', filed.card, 'Cancel request');
  });

  it('role assign, permanent: an admin asks, another approves; role list says permanent', async () => {
    const filed = await fileThroughDialog(bot, 'U0ADA', 'role assign bob', {
      Roles: ['editor'],
      Duration: 'Permanent',
      Reason: 'Bob joins the editing team',
    });
    await approved(bot, 'U0ALAN', filed);
    const list = await bot.driver.command('U0ADA', 'role list bob');
    const listed = await replyTo(bot, list.responseUrl);
    expect(listed).toContain('`editor`: permanent');
  });

  it('refuses what people may not ask, saying why', async () => {
    await dialogNotice(bot, 'U0KIM', 'role assign bob', 'Only VAMS admins can assign roles');
    await dialogNotice(bot, 'U0KIM', 'role remove bob viewer', 'Only VAMS admins can remove roles');
    await dialogNotice(bot, 'U0ADA', 'role remove bob nosuch', 'does not hold VAMS role');
    const list = await bot.driver.command('U0KIM', 'role list bob');
    expect(await replyTo(bot, list.responseUrl)).toContain(
      'Only VAMS admins and managers can list roles',
    );
    const usage = await bot.driver.command('U0ADA', 'role assign');
    expect(textIn(usage.ack)).toContain('`/vams role assign <userId>`');
    const extra = await bot.driver.command('U0KIM', 'role release editor viewer');
    expect(textIn(extra.ack)).toContain('`/vams role release <role>`');
    await dialogNotice(bot, 'U0ADA', 'role assign ghost', 'There is no Cognito user `ghost`');
    bot.slack.addUser({
      id: 'U0STRANGER',
      email: 'stranger@elsewhere.example',
      emailConfirmed: true,
    });
    await dialogNotice(
      bot,
      'U0STRANGER',
      'role request',
      'to link your Slack account: `/vams link @you',
    );
    const viewId = await openedDialog(bot, 'U0KIM', 'role request');
    const missing = await bot.driver.submitView('U0KIM', viewId, {
      Roles: ['no-such-role'],
      Duration: '1 hour',
      Reason: 'Testing',
    });
    expect(missing.ack).toEqual({
      response_action: 'errors',
      errors: { roles: 'Not in the VAMS roles table: no-such-role.' },
    });
  });

  it('lists every role with its description, mfaRequired and holders, for managers too', async () => {
    const list = await bot.driver.command('U0MAX', 'role list');
    const listed = await replyTo(bot, list.responseUrl);
    expect(listed).toMatch(/`viewer` — .*; mfaRequired: no; 2 holders/);
    expect(listed).toMatch(/`admin` — .*; 2 holders/);
  });
});

describe('removing a role from the last admin', () => {
  let bot: TestBot;
  beforeAll(async () => {
    bot = await startTestBot();
    await bot.deployment.addVamsUser('solo@example.com', ['admin']);
    bot.slack.addUser({ id: 'U0SOLO', email: 'solo@example.com', emailConfirmed: true });
  });
  afterAll(() => bot.stop());

  it('is refused in the dialog', async () => {
    await dialogNotice(
      bot,
      'U0SOLO',
      'role remove solo@example.com admin',
      'the last holder of admin role admin',
    );
  });
});

describe('a grant whose end comes while instances restart and run side by side', () => {
  let deployment: TestDeployment;
  let slack: SlackStandIn;
  let ahead = 0;
  const clock = () => new Date(Date.now() + ahead);
  const running: TestBot[] = [];
  const start = async () => {
    const bot = await startTestBot({
      deployment,
      slack,
      env: { GRANT_DURATIONS: '1,60' },
      tuning: { clock, sweepMs: 24 * 60 * MINUTE },
    });
    running.push(bot);
    return bot;
  };
  beforeAll(async () => {
    deployment = await createTestDeployment();
    slack = await SlackStandIn.start();
    await deployment.addRole('editor');
    await deployment.addRole('viewer');
    await deployment.addVamsUser('alan@example.com', ['admin']);
    await deployment.addVamsUser('kim', ['viewer'], 'kim@example.com');
    slack.addUser({ id: 'U0ALAN', email: 'alan@example.com', emailConfirmed: true });
    slack.addUser({ id: 'U0KIM', email: 'kim@example.com', emailConfirmed: true });
  });
  afterAll(async () => {
    await Promise.all(running.map((bot) => bot.stop()));
    await slack.stop();
    deployment.destroy();
  });

  it('is ended once, by one of two fresh instances, after the one that granted it stopped', async () => {
    const first = await start();
    const filed = await fileThroughDialog(first, 'U0KIM', 'role request', {
      Roles: ['editor'],
      Duration: '1 minute',
      Reason: 'Re-run the ingest',
    });
    await approved(first, 'U0ALAN', filed);
    expect(await row(deployment, 'kim', 'editor')).toBeDefined();
    await first.stop();
    running.splice(running.indexOf(first), 1);
    const [second, third] = [await start(), await start()];
    let deletes = 0;
    for (const bot of [second, third]) {
      bot.app.backend.clients.documents.middlewareStack.add(
        (next, context) => async (args) => {
          const input = args.input as { TransactItems?: { Delete?: { TableName?: string } }[] };
          if (context.commandName === 'TransactWriteItemsCommand') {
            for (const item of input.TransactItems ?? []) {
              if (item.Delete?.TableName === deployment.tables.userRoles) deletes += 1;
            }
          }
          return next(args);
        },
        { step: 'initialize', name: 'countRowDeletes' },
      );
    }
    ahead = MINUTE + 1_000;
    const swept = await Promise.all([second.app.sweeps.grants(), third.app.sweeps.grants()]);
    expect(swept.map((sweep) => sweep.ended).sort()).toEqual([0, 1]);
    expect(deletes).toBe(1);
    expect(await row(deployment, 'kim', 'editor')).toBeUndefined();
    await eventually(() => {
      const told = threadReplies(slack, filed).filter((reply) =>
        textIn(reply.blocks).includes('the role row was deleted'),
      );
      if (told.length === 0) throw new Error('not told yet');
    });
    // Once only, whichever instance told it.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(
      threadReplies(slack, filed).filter((reply) =>
        textIn(reply.blocks).includes('the role row was deleted'),
      ),
    ).toHaveLength(1);
  });
});
