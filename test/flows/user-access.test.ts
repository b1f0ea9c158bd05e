import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { eventually } from '../support/eventually';
import {
  answerTo,
  cardMessage,
  cognitoUser,
  dmsTo,
  type FiledRequest,
  fileThroughDialog,
  finished,
  openedDialog,
  recordCognitoCommands,
  requestStore,
  storedRequest,
  textIn,
  threadReplies,
} from '../support/onboarding-flow';
import { startTestBot, type TestBot } from '../support/test-bot';
import { vamsAuthorizes } from '../support/vams-authorizer';

const KEY_VALUE = /vams_[A-Za-z0-9_-]{64}/g;

function keyFields(name: string) {
  const expires = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
  return {
    Name: name,
    Description: `uploads ${name}`,
    Expires: expires,
    Reason: 'Nightly uploads',
  };
}

function authorize(bot: TestBot, value: string) {
  return vamsAuthorizes(bot.deployment.clients.documents, bot.deployment.tables, value);
}

/** Files a key request through its dialog, has it approved, and returns the delivered value. */
async function keyFor(bot: TestBot, requester: string, text: string, name: string) {
  const before = (dmsTo(bot.slack, requester).join('\n').match(KEY_VALUE) ?? []).length;
  const filed = await fileThroughDialog(bot, requester, text, keyFields(name));
  await bot.driver.clickButton('U0ALAN', filed.card, 'Approve');
  expect((await finished(bot, filed)).status).toBe('succeeded');
  const request = await requestStore(bot).get(filed.id);
  if (request?.kind !== 'key.create') throw new Error('not a key request');
  const value = (dmsTo(bot.slack, requester).join('\n').match(KEY_VALUE) ?? [])[before];
  if (!value) throw new Error(`no key reached ${requester}`);
  return { value, apiKeyId: request.params.apiKeyId };
}

/** Opens a dialog and waits until the bot's check shows `expected` in it (a notice, or a note). */
async function checkedDialog(bot: TestBot, slackUserId: string, text: string, expected: string) {
  const viewId = await openedDialog(bot, slackUserId, text);
  return eventually(() => {
    const shown = textIn(bot.slack.views.get(viewId)?.view.blocks);
    if (!shown.includes(expected)) throw new Error(`not refused yet: ${shown}`);
    return shown;
  });
}

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
    await bot.deployment.addVamsUser('kim', ['viewer'], 'kim@example.com');
    await bot.deployment.addVamsUser('lee', ['viewer'], 'lee@example.com');
    bot.slack.addUser({ id: 'U0KIM', email: 'kim@example.com', emailConfirmed: true });
    bot.slack.addUser({ id: 'U0LEE', email: 'lee@example.com', emailConfirmed: true });
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

  it('disabling a user deactivates every API key of theirs; enabling gives none back, and says so', async () => {
    const own = await keyFor(bot, 'U0KIM', 'key request', 'kim-own');
    const made = await keyFor(bot, 'U0ADA', 'key create kim', 'kim-ci');
    expect(await authorize(bot, own.value)).toEqual({ allowed: true, userId: 'kim' });
    expect(await authorize(bot, made.value)).toEqual({ allowed: true, userId: 'kim' });

    // The dialog says what the disable takes away before anyone asks for it.
    await checkedDialog(bot, 'U0ADA', 'user disable kim', '2 active API keys will be deactivated');
    const logged = bot.logs.length;
    const disable = await fileAccessRequest(bot, 'U0ADA', 'user disable kim');
    expect(textIn(cardMessage(bot.slack, disable).blocks)).toContain(
      '2 active API keys will be deactivated',
    );
    await bot.driver.clickButton('U0ALAN', disable.card, 'Approve');
    expect((await finished(bot, disable)).status).toBe('succeeded');
    expect((await cognitoUser(bot.deployment, 'kim'))?.Enabled).toBe(false);
    expect(await authorize(bot, own.value)).toEqual({ allowed: false, reason: 'inactive' });
    expect(await authorize(bot, made.value)).toEqual({ allowed: false, reason: 'inactive' });
    const disabled = threadReplies(bot.slack, disable).map((reply) => textIn(reply.blocks));
    expect(disabled.join('\n')).toContain('2 active API keys deactivated');
    const keyLines = bot.logs
      .slice(logged)
      .filter((line) => line.includes('[AUTHCHANGES][type: apiKeyUpdate]'));
    expect(keyLines.filter((line) => line.includes(own.apiKeyId))).toHaveLength(1);
    expect(keyLines.filter((line) => line.includes(made.apiKeyId))).toHaveLength(1);

    // No key is issued or rotated for a disabled owner, whoever asks.
    const refusal = 'Cognito user kim is disabled';
    await checkedDialog(bot, 'U0KIM', 'key request', refusal);
    await checkedDialog(bot, 'U0ADA', 'key create kim', refusal);
    // A key switched on outside the bot (say, in VAMS's own UI) still cannot be rotated.
    await bot.deployment.clients.documents.send(
      new UpdateCommand({
        TableName: bot.deployment.tables.apiKeys,
        Key: { apiKeyId: made.apiKeyId },
        UpdateExpression: 'SET isActive = :on',
        ExpressionAttributeValues: { ':on': 'true' },
      }),
    );
    await checkedDialog(bot, 'U0ADA', `key rotate ${made.apiKeyId}`, refusal);

    const enable = await fileAccessRequest(bot, 'U0ADA', 'user enable kim');
    await bot.driver.clickButton('U0ALAN', enable.card, 'Approve');
    expect((await finished(bot, enable)).status).toBe('succeeded');
    expect((await cognitoUser(bot.deployment, 'kim'))?.Enabled).toBe(true);
    expect(await authorize(bot, own.value)).toEqual({ allowed: false, reason: 'inactive' });
    const enabled = threadReplies(bot.slack, enable).map((reply) => textIn(reply.blocks));
    expect(enabled.join('\n')).toContain(
      'API keys deactivated when the user was disabled stay inactive',
    );
  });

  it('a key requested before its owner was disabled is refused at submission and when it runs', async () => {
    // Opened and filed while lee is enabled; lee is disabled before either goes further.
    const pendingDialog = await openedDialog(bot, 'U0LEE', 'key request');
    const filed = await fileThroughDialog(bot, 'U0LEE', 'key request', keyFields('lee-late'));
    const disable = await fileAccessRequest(bot, 'U0ADA', 'user disable lee');
    await bot.driver.clickButton('U0ALAN', disable.card, 'Approve');
    expect((await finished(bot, disable)).status).toBe('succeeded');

    const submitted = await bot.driver.submitView('U0LEE', pendingDialog, keyFields('lee-later'));
    expect(JSON.stringify(submitted.ack)).toContain('Cognito user lee is disabled');

    await bot.driver.clickButton('U0ALAN', filed.card, 'Approve');
    const ran = await finished(bot, filed);
    expect(ran.status).toBe('failed');
    expect(ran.failure).toContain('Cognito user lee is disabled');
    if (ran.kind !== 'key.create') throw new Error('not a key request');
    expect(ran.steps.map((step) => [step.name, step.status])).toEqual([['check-owner', 'failed']]);
    const thread = threadReplies(bot.slack, filed).map((reply) => textIn(reply.blocks));
    expect(thread.join('\n')).toContain('Cognito user lee is disabled');
    expect(dmsTo(bot.slack, 'U0LEE').join('\n').match(KEY_VALUE) ?? []).toEqual([]);
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
