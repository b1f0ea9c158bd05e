import { eventually } from '../support/eventually';
import {
  answerTo,
  cognitoUser,
  dmsTo,
  type FiledRequest,
  fileThroughDialog,
  finished,
  openedDialog,
  recordCognitoCommands,
  storedRequest,
  textIn,
  threadReplies,
} from '../support/onboarding-flow';
import { startTestBot, type TestBot } from '../support/test-bot';

function fileAccessRequest(bot: TestBot, requester: string, text: string): Promise<FiledRequest> {
  return fileThroughDialog(bot, requester, text, { Reason: `because ${text}` });
}

describe('disable, enable and sign out, each through an approval', () => {
  let bot: TestBot;
  beforeAll(async () => {
    bot = await startTestBot({ env: { MANAGER_ROLES: 'manager' } });
    await bot.deployment.addRole('manager');
    await bot.deployment.addRole('viewer');
    await bot.deployment.addVamsUser('ada@example.com', ['admin']);
    await bot.deployment.addVamsUser('alan@example.com', ['admin']);
    await bot.deployment.addVamsUser('max@example.com', ['manager']);
    await bot.deployment.addVamsUser('bob', ['viewer'], 'bob@example.com');
    bot.slack.addUser({ id: 'U0ADA', email: 'ada@example.com', emailConfirmed: true });
    bot.slack.addUser({ id: 'U0ALAN', email: 'alan@example.com', emailConfirmed: true });
    bot.slack.addUser({ id: 'U0MAX', email: 'max@example.com', emailConfirmed: true });
  });
  afterAll(() => bot.stop());

  it('disables after an admin’s approval, and says tokens already issued live on', async () => {
    const filed = await fileAccessRequest(bot, 'U0ADA', 'user disable bob');
    expect((await cognitoUser(bot.deployment, 'bob'))?.Enabled).toBe(true);
    const managerClick = await bot.driver.clickButton('U0MAX', filed.card, 'Approve');
    expect(textIn((await answerTo(bot.slack, managerClick)).args)).toContain('needs a VAMS admin');
    expect((await storedRequest(bot, filed.id)).approvals).toEqual([]);
    await bot.driver.clickButton('U0ALAN', filed.card, 'Approve');
    expect((await finished(bot, filed)).status).toBe('succeeded');
    expect((await cognitoUser(bot.deployment, 'bob'))?.Enabled).toBe(false);
    const thread = threadReplies(bot.slack, filed).map((message) => textIn(message.blocks));
    expect(thread.join('\n')).toContain(
      'Access tokens already issued stay valid until they expire',
    );
  });

  it('refuses to ask for disabling someone already disabled, in the dialog', async () => {
    const viewId = await openedDialog(bot, 'U0ADA', 'user disable bob');
    const submitted = await bot.driver.submitView('U0ADA', viewId, { Reason: 'again' });
    expect(submitted.ack).toEqual({
      response_action: 'errors',
      errors: { reason: 'bob is already disabled.' },
    });
  });

  it('enables again after approval', async () => {
    const filed = await fileAccessRequest(bot, 'U0ADA', 'user enable bob');
    await bot.driver.clickButton('U0ALAN', filed.card, 'Approve');
    expect((await finished(bot, filed)).status).toBe('succeeded');
    expect((await cognitoUser(bot.deployment, 'bob'))?.Enabled).toBe(true);
  });

  it('signs out everywhere with AdminUserGlobalSignOut after approval', async () => {
    const sent = recordCognitoCommands(bot);
    const filed = await fileAccessRequest(bot, 'U0ADA', 'user signout bob');
    await bot.driver.clickButton('U0ALAN', filed.card, 'Approve');
    expect((await finished(bot, filed)).status).toBe('succeeded');
    expect(sent.filter((command) => command.command === 'AdminUserGlobalSignOutCommand')).toEqual([
      {
        command: 'AdminUserGlobalSignOutCommand',
        input: { UserPoolId: bot.deployment.userPoolId, Username: 'bob' },
      },
    ]);
    expect(dmsTo(bot.slack, 'U0ADA').join('\n')).toContain('signed out everywhere');
  });

  it('lets only admins ask, and no one disable themselves', async () => {
    const managerView = await openedDialog(bot, 'U0MAX', 'user disable bob');
    await eventually(() => {
      const shown = JSON.stringify(bot.slack.views.get(managerView)?.view);
      if (!shown.includes('Only VAMS admins can change users’ access.'))
        throw new Error('not refused yet');
    });
    const selfView = await openedDialog(bot, 'U0ADA', 'user disable ada@example.com');
    await eventually(() => {
      const shown = JSON.stringify(bot.slack.views.get(selfView)?.view);
      if (!shown.includes('You cannot disable yourself')) throw new Error('not refused yet');
    });
  });

  it('says there is no such user, in the dialog', async () => {
    const viewId = await openedDialog(bot, 'U0ADA', 'user disable ghost');
    const submitted = await bot.driver.submitView('U0ADA', viewId, { Reason: 'gone' });
    expect(submitted.ack).toEqual({
      response_action: 'errors',
      errors: { reason: 'There is no Cognito user ghost.' },
    });
  });

  it.each(['user disable', 'user disable a b', 'user signout bad id!'])(
    '/vams %s gets a usage error',
    async (text) => {
      const result = await bot.driver.command('U0ADA', text);
      expect(JSON.stringify(result.ack)).toContain('Usage:');
      expect(JSON.stringify(result.ack)).toContain('/vams user');
    },
  );
});
