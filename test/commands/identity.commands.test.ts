import { FOREIGN_WORKSPACE_TEXT } from '../../src/slack/workspace-guard';
import { LinkStore } from '../../src/stores/link.store';
import { startTestBot, type TestBot } from '../support/test-bot';

/** What the person sees after `/vams <text>`: the ack body or the response_url reply. */
async function replyTo(
  bot: TestBot,
  userId: string,
  text: string,
  teamId?: string,
): Promise<string> {
  const result = await bot.driver.command(userId, text, teamId ? { teamId } : {});
  expect(result.status).toBe(200);
  const reply = await bot.slack.waitForCall(
    'response_url',
    (call) => call.args.url === result.responseUrl,
  );
  expect(reply.args.response_type).toBe('ephemeral');
  return JSON.stringify(reply.args);
}

describe('/vams whoami maps Slack people to VAMS users', () => {
  let bot: TestBot;

  let aheadMs = 0;
  beforeAll(async () => {
    bot = await startTestBot({
      env: { MANAGER_ROLES: 'team-lead' },
      // Moved ahead to age what whoami remembers of an identity.
      tuning: { clock: () => new Date(Date.now() + aheadMs) },
    });
    const { deployment, slack } = bot;
    await deployment.addRole('viewer');
    await deployment.addRole('team-lead');
    await deployment.addVamsUser('alice@example.com', ['admin']);
    await deployment.addVamsUser('bob@example.com', ['viewer']);
    await deployment.addVamsUser('carol@example.com', ['viewer']);
    await deployment.addVamsUser('dave', ['admin'], 'dave@corp.example');
    await deployment.addVamsUser('erin', ['team-lead'], 'erin@example.com');
    await deployment.addCognitoUser('twin-1', 'twins@example.com');
    await deployment.addCognitoUser('twin-2', 'twins@example.com');
    const confirmed = (id: string, email: string) => ({ id, email, emailConfirmed: true });
    slack.addUser(confirmed('U0ALICE', 'alice@example.com'));
    slack.addUser({ id: 'U0BOB', email: 'bob@example.com', emailConfirmed: false });
    slack.addUser({ ...confirmed('U0GUEST', 'bob@example.com'), isRestricted: true });
    slack.addUser({ ...confirmed('U0SINGLE', 'bob@example.com'), isUltraRestricted: true });
    slack.addUser({ ...confirmed('U0FOREIGN', 'bob@example.com'), teamId: 'T0OTHER' });
    slack.addUser({ ...confirmed('U0BOT', 'bob@example.com'), isBot: true });
    slack.addUser({ ...confirmed('U0GONE', 'bob@example.com'), deleted: true });
    slack.addUser(confirmed('U0CAROL', 'carol@example.com'));
    slack.addUser(confirmed('U0ERIN', 'Erin@Example.com'));
    slack.addUser(confirmed('U0TWIN', 'twins@example.com'));
    slack.addUser(confirmed('U0NOBODY', 'nobody@example.com'));
    await new LinkStore(deployment.clients.documents, deployment.tables.bot).link(
      'U0CAROL',
      'dave',
      'U0ALICE',
      { requestId: 'R0LINKED', at: new Date('2025-03-04T05:06:07Z') },
    );
  });
  afterAll(() => bot.stop());

  it('maps a confirmed Slack email that is a VAMS user ID, with roles read from VAMS', async () => {
    const reply = await replyTo(bot, 'U0ALICE', 'whoami');
    expect(reply).toContain('`alice@example.com`');
    expect(reply).toContain('which is your VAMS user ID');
    expect(reply).toContain('`admin`');
    expect(reply).toContain('every kind of request');
  });

  it('reads roles live: a role added in VAMS shows once the 5 s of memory are out', async () => {
    await replyTo(bot, 'U0ALICE', 'whoami');
    await bot.deployment.addVamsUser('alice@example.com', ['viewer']);
    expect(await replyTo(bot, 'U0ALICE', 'whoami')).not.toContain('`viewer`');
    aheadMs += 5_000;
    const reply = await replyTo(bot, 'U0ALICE', 'whoami');
    expect(reply).toContain('`viewer`');
  });

  it('refuses an unconfirmed email even when it matches a VAMS user', async () => {
    const reply = await replyTo(bot, 'U0BOB', 'whoami');
    expect(reply).toContain('You are not mapped to a VAMS user');
    expect(reply).toContain('no confirmed email');
    expect(reply).not.toContain('`bob@example.com`');
  });

  it.each([
    ['a multi-channel guest', 'U0GUEST', 'Guest accounts cannot use vams-chatops'],
    ['a single-channel guest', 'U0SINGLE', 'Guest accounts cannot use vams-chatops'],
    ['a bot', 'U0BOT', 'Bots cannot use vams-chatops'],
    ['a deactivated account', 'U0GONE', 'This Slack account is deactivated'],
    ['a member of another workspace', 'U0FOREIGN', 'belongs to another workspace'],
  ])('refuses %s whose email matches a VAMS user', async (_who, userId, reason) => {
    const reply = await replyTo(bot, userId, 'whoami');
    expect(reply).toContain('You are not mapped to a VAMS user');
    expect(reply).toContain(reason);
  });

  it('refuses any request made from another workspace than the bot’s, before looking anyone up', async () => {
    const before = bot.slack.callsTo('users.info').length;
    const result = await bot.driver.command('U0ALICE', 'whoami', { teamId: 'T0OTHER' });
    expect(result.ack).toMatchObject({ response_type: 'ephemeral', text: FOREIGN_WORKSPACE_TEXT });
    expect(bot.slack.callsTo('users.info')).toHaveLength(before);
  });

  it('lets an explicit link win over the email match', async () => {
    const reply = await replyTo(bot, 'U0CAROL', 'whoami');
    expect(reply).toContain('`dave`');
    expect(reply).toContain(
      'a link made by <@U0ALICE> on <!date^1741064767^{date_short_pretty} {time}|2025-03-04 05:06 UTC> (`R0LINKED`)',
    );
    expect(reply).toContain('`admin`');
    expect(reply).not.toContain('`viewer`');
  });

  it('maps by the email attribute of a Cognito user, whose username is the VAMS user ID', async () => {
    const reply = await replyTo(bot, 'U0ERIN', 'whoami');
    expect(reply).toContain('`erin`');
    expect(reply).toContain('the email of Cognito user');
    expect(reply).toContain('`team-lead`');
    expect(reply).toContain('onboarding requests');
  });

  it('does not guess when two Cognito users share the email', async () => {
    const reply = await replyTo(bot, 'U0TWIN', 'whoami');
    expect(reply).toContain('matches more than one VAMS user');
    expect(reply).not.toContain('twin-1');
  });

  it('says why there is no mapping and how to get one', async () => {
    const reply = await replyTo(bot, 'U0NOBODY', 'whoami');
    expect(reply).toContain('`nobody@example.com`');
    expect(reply).toContain(
      'to link your Slack account: `/vams link @you &lt;your VAMS user ID&gt;`',
    );
  });
});

describe('/vams help and usage errors', () => {
  let bot: TestBot;
  beforeAll(async () => {
    bot = await startTestBot({ env: { MANAGER_ROLES: 'lead' } });
    await bot.deployment.addRole('viewer');
    await bot.deployment.addRole('lead');
    await bot.deployment.addVamsUser('ada@example.com', ['admin']);
    await bot.deployment.addVamsUser('lee@example.com', ['lead']);
    await bot.deployment.addVamsUser('vic@example.com', ['viewer']);
    bot.slack.addUser({ id: 'U0ADA', email: 'ada@example.com', emailConfirmed: true });
    bot.slack.addUser({ id: 'U0LEE', email: 'lee@example.com', emailConfirmed: true });
    bot.slack.addUser({ id: 'U0VIC', email: 'vic@example.com', emailConfirmed: true });
  });
  afterAll(() => bot.stop());

  /** The help reply for this person, after the empty ack. */
  async function helpFor(slackUserId: string, text = 'help') {
    const result = await bot.driver.command(slackUserId, text);
    expect(result.status).toBe(200);
    expect(result.ack).toBeNull();
    const reply = await bot.slack.waitForCall(
      'response_url',
      (call) => call.args.url === result.responseUrl,
    );
    expect(reply.args).toMatchObject({ response_type: 'ephemeral' });
    return JSON.stringify(reply.args);
  }

  it.each(['help', '', 'HELP'])('/vams %j lists the commands, only to the caller', async (text) => {
    const shown = await helpFor('U0ADA', text);
    expect(shown).toContain('/vams help');
    expect(shown).toContain('/vams whoami');
  });

  it('lists only what the asker may use, with their roles now', async () => {
    const admin = await helpFor('U0ADA');
    for (const usage of [
      '/vams user offboard',
      '/vams role assign',
      '/vams user list',
      '/vams key request',
    ]) {
      expect(admin).toContain(usage);
    }
    const manager = await helpFor('U0LEE');
    expect(manager).toContain('/vams user list');
    expect(manager).not.toContain('/vams user offboard');
    const viewer = await helpFor('U0VIC');
    expect(viewer).toContain('/vams key request');
    expect(viewer).toContain('/vams role request');
    for (const usage of [
      '/vams user offboard',
      '/vams user list',
      '/vams role assign',
      '/vams link',
      '/vams breakglass',
    ]) {
      expect(viewer).not.toContain(usage);
    }
    const stranger = await helpFor('U0ANY');
    expect(stranger).toContain('/vams whoami');
    expect(stranger).not.toContain('/vams key request');
    expect(stranger).toContain('You are not mapped to a VAMS user');
  });

  it('answers an unknown sub-command with a short usage error, escaping what was typed', async () => {
    // Slack sends a typed @channel as <!channel>, and typed angle brackets as entities.
    const result = await bot.driver.command('U0ANY', 'frobnicate <!channel> &lt;!here&gt;');
    expect(result.ack).toMatchObject({ response_type: 'ephemeral' });
    const shown = JSON.stringify(result.ack);
    expect(shown).toContain('Unknown command `frobnicate @channel &lt;!here&gt;`');
    expect(shown).not.toContain('<!channel>');
    expect(shown).not.toContain('<!here>');
    expect(shown).toContain('/vams help');
    expect(bot.slack.callsTo('chat.postMessage')).toHaveLength(0);
  });
});

describe('SLACK_TEAM_ID', () => {
  let bot: TestBot;
  beforeAll(async () => {
    bot = await startTestBot({ env: { SLACK_TEAM_ID: 'T0HOME' } });
    await bot.deployment.addVamsUser('alice@example.com', ['admin']);
    bot.slack.addUser({
      id: 'U0ALICE',
      email: 'alice@example.com',
      emailConfirmed: true,
      teamId: 'T0HOME',
    });
  });
  afterAll(() => bot.stop());

  it('serves people of that workspace', async () => {
    const result = await bot.driver.command('U0ALICE', 'whoami', { teamId: 'T0HOME' });
    const reply = await bot.slack.waitForCall(
      'response_url',
      (call) => call.args.url === result.responseUrl,
    );
    expect(JSON.stringify(reply.args)).toContain('`alice@example.com`');
  });

  it('refuses requests from any other workspace, even the one the bot token belongs to', async () => {
    const result = await bot.driver.command('U0ALICE', 'whoami', { teamId: bot.slack.teamId });
    expect(result.ack).toMatchObject({ response_type: 'ephemeral', text: FOREIGN_WORKSPACE_TEXT });
  });
});
