import { seedUserRole } from '../../src/backend/provision';
import { CognitoSessions } from '../support/cognito-sessions';
import { eventually } from '../support/eventually';
import {
  answerTo,
  attributesOf,
  cognitoUser,
  dmsTo,
  type FiledRequest,
  fileThroughDialog,
  finished,
  recordCognitoCommands,
  roleRows,
  storedRequest,
  textIn,
} from '../support/onboarding-flow';
import { startTestBot, type TestBot } from '../support/test-bot';

function fileReset(bot: TestBot, requester: string, userId: string): Promise<FiledRequest> {
  return fileThroughDialog(bot, requester, `user reset-password ${userId}`, {
    Reason: 'Forgot it',
  });
}

const failsToSignIn = (attempt: Promise<unknown>) => expect(attempt).rejects.toThrow();

describe('password reset without deleting the user', () => {
  let bot: TestBot;
  let sessions: CognitoSessions;

  beforeAll(async () => {
    bot = await startTestBot();
    sessions = await CognitoSessions.create(bot.deployment);
    await bot.deployment.addRole('viewer');
    await bot.deployment.addVamsUser('ada@example.com', ['admin']);
    await bot.deployment.addVamsUser('alan@example.com', ['admin']);
    bot.slack.addUser({ id: 'U0ADA', email: 'ada@example.com', emailConfirmed: true });
    bot.slack.addUser({ id: 'U0ALAN', email: 'alan@example.com', emailConfirmed: true });
    bot.slack.addUser({ id: 'U0CARL', email: 'carl@example.com', emailConfirmed: true });
    await bot.deployment.addVamsUser('carl@example.com', ['viewer']);
  });
  afterAll(() => bot.stop());

  // moto re-creates the user on AdminCreateUser RESEND (new sub, attributes dropped); Cognito
  // keeps it. So with email delivery the sub is checked up to the resend, and the Slack DM case
  // below, which sends no RESEND, checks it end to end.
  it('a confirmed user: old password fails, FORCE_CHANGE_PASSWORD, roles kept, refresh token revoked, no delete', async () => {
    const { refreshToken } = await sessions.confirmedUser(
      'carl',
      'carl@example.com',
      'Perm#Pass4567',
    );
    await seedUserRole(
      bot.deployment.clients.documents,
      bot.deployment.tables.userRoles,
      'carl',
      'viewer',
    );
    const before = await cognitoUser(bot.deployment, 'carl');
    expect(before?.UserStatus).toBe('CONFIRMED');
    const rowsBefore = await roleRows(bot.deployment, 'carl');
    const sent = recordCognitoCommands(bot);

    const filed = await fileReset(bot, 'U0ADA', 'carl');
    await bot.driver.clickButton('U0ALAN', filed.card, 'Approve');
    expect((await finished(bot, filed)).status).toBe('succeeded');

    const after = await cognitoUser(bot.deployment, 'carl');
    expect(after?.UserStatus).toBe('FORCE_CHANGE_PASSWORD');
    expect(after?.Enabled).toBe(true);
    expect(await roleRows(bot.deployment, 'carl')).toEqual(rowsBefore);
    await failsToSignIn(sessions.signIn('carl', 'Perm#Pass4567'));
    await failsToSignIn(sessions.refresh(refreshToken));
    const commands = sent.map((command) => command.command);
    expect(commands).not.toContain('AdminDeleteUserCommand');
    expect(commands).toEqual(
      expect.arrayContaining([
        'AdminSetUserPasswordCommand',
        'AdminUserGlobalSignOutCommand',
        'AdminCreateUserCommand',
      ]),
    );
    const resend = sent.find((command) => command.command === 'AdminCreateUserCommand');
    expect(resend?.input).toEqual({
      UserPoolId: bot.deployment.userPoolId,
      Username: 'carl',
      MessageAction: 'RESEND',
      DesiredDeliveryMediums: ['EMAIL'],
    });
    // Everything before the resend leaves the same user in place.
    const order = commands.filter(
      (command) => command !== 'AdminGetUserCommand' && command !== 'DescribeUserPoolCommand',
    );
    expect(order).toEqual([
      'AdminSetUserPasswordCommand',
      'AdminUserGlobalSignOutCommand',
      'AdminCreateUserCommand',
    ]);
    expect(attributesOf(before).sub).toBeDefined();
    // The current password is replaced by a temporary one nobody receives, for this user.
    expect(
      sent.find((command) => command.command === 'AdminSetUserPasswordCommand')?.input,
    ).toMatchObject({ UserPoolId: bot.deployment.userPoolId, Username: 'carl', Permanent: false });
  });

  it('lets people ask for their own reset, and an admin approves it', async () => {
    const filed = await fileReset(bot, 'U0CARL', 'carl@example.com');
    await bot.driver.clickButton('U0ADA', filed.card, 'Approve');
    expect((await finished(bot, filed)).status).toBe('succeeded');
  });

  it('does not let an admin approve the reset of their own password', async () => {
    const filed = await fileReset(bot, 'U0ALAN', 'alan@example.com');
    const ownClick = await bot.driver.clickButton('U0ALAN', filed.card, 'Approve');
    expect(textIn((await answerTo(bot.slack, ownClick)).args)).toContain(
      'someone else has to decide it',
    );
    expect((await storedRequest(bot, filed.id)).approvals).toEqual([]);
    await bot.driver.clickButton('U0ADA', filed.card, 'Approve');
    expect((await finished(bot, filed)).status).toBe('succeeded');
  });

  it('refuses a plain user asking for someone else’s reset: the dialog becomes a notice', async () => {
    const before = new Set(bot.slack.views.keys());
    await bot.driver.command('U0CARL', 'user reset-password ada@example.com');
    const notice = await eventually(() => {
      const viewId = [...bot.slack.views.keys()].find((id) => !before.has(id));
      const view = viewId ? bot.slack.views.get(viewId)?.view : undefined;
      if (!JSON.stringify(view).includes('You can ask for a reset of your own password')) {
        throw new Error('not refused yet');
      }
      return view;
    });
    expect(notice?.submit).toBeUndefined();
  });
});

describe('password reset delivered by Slack DM', () => {
  let bot: TestBot;
  let sessions: CognitoSessions;

  beforeAll(async () => {
    bot = await startTestBot({ env: { TEMP_PASSWORD_DELIVERY: 'slack-dm' } });
    sessions = await CognitoSessions.create(bot.deployment);
    await bot.deployment.addVamsUser('ada@example.com', ['admin']);
    await bot.deployment.addVamsUser('alan@example.com', ['admin']);
    bot.slack.addUser({ id: 'U0ADA', email: 'ada@example.com', emailConfirmed: true });
    bot.slack.addUser({ id: 'U0ALAN', email: 'alan@example.com', emailConfirmed: true });
    bot.slack.addUser({ id: 'U0DORA', email: 'dora@example.com', emailConfirmed: true });
  });
  afterAll(() => bot.stop());

  it('the DM’d temporary password signs in and asks for a new one; the old one and the session fail; same sub', async () => {
    const { refreshToken } = await sessions.confirmedUser(
      'dora',
      'dora@example.com',
      'Perm#Pass4567',
    );
    const before = await cognitoUser(bot.deployment, 'dora');
    const filed = await fileReset(bot, 'U0ADA', 'dora');
    await bot.driver.clickButton('U0ALAN', filed.card, 'Approve');
    expect((await finished(bot, filed)).status).toBe('succeeded');
    const dm = dmsTo(bot.slack, 'U0DORA').find((text) =>
      text.includes('Your VAMS password was reset'),
    );
    const password = /temporary password is `([^`]+)`/
      .exec(dm ?? '')?.[1]
      ?.replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
    expect(password).toBeDefined();
    const signedIn = await sessions.signIn('dora', password ?? '');
    expect(signedIn.ChallengeName).toBe('NEW_PASSWORD_REQUIRED');
    await failsToSignIn(sessions.signIn('dora', 'Perm#Pass4567'));
    await failsToSignIn(sessions.refresh(refreshToken));
    expect(attributesOf(await cognitoUser(bot.deployment, 'dora')).sub).toBe(
      attributesOf(before).sub,
    );
    const elsewhere = bot.slack.calls.filter(
      (call) => call.args.channel !== bot.slack.dmChannelOf('U0DORA'),
    );
    expect(JSON.stringify(elsewhere.map((call) => call.args))).not.toContain(password);
    expect(bot.logs.join('')).not.toContain(password);
  });
});
