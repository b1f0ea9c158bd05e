import { AdminGetUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { APPROVAL_CHANNEL, startTestBot, type TestBot } from '../support/test-bot';

describe('onboarding end to end', () => {
  let bot: TestBot;
  beforeAll(async () => {
    bot = await startTestBot({ env: { MANAGER_ROLES: 'manager' } });
    await bot.deployment.addRole('manager');
    await bot.deployment.addRole('viewer');
    await bot.deployment.addVamsUser('ada@example.com', ['admin']);
    await bot.deployment.addVamsUser('max@example.com', ['manager']);
    bot.slack.addUser({ id: 'U0ADA', email: 'ada@example.com', emailConfirmed: true });
    bot.slack.addUser({ id: 'U0MAX', email: 'max@example.com', emailConfirmed: true });
  });
  afterAll(() => bot.stop());

  it('a manager requests, an admin approves, the user and role rows exist', async () => {
    const command = await bot.driver.command('U0MAX', 'user create');
    expect(command.status).toBe(200);
    const opened = await bot.slack.waitForCall('views.open');
    const viewId = String((bot.slack.views.keys().next().value as string));
    const suggestions = await bot.driver.suggest('U0MAX', viewId, 'Roles', 'view');
    expect(suggestions.options).toEqual(['viewer']);
    const submitted = await bot.driver.submitView('U0MAX', viewId, {
      'User ID': 'newbie',
      Email: 'newbie@example.com',
      'Phone number': '+14155550123',
      Roles: ['viewer'],
      Reason: 'Joins the 3D team',
    });
    expect(submitted.status).toBe(200);
    expect(opened).toBeDefined();
    const card = await bot.slack.waitForCall('chat.postMessage', (call) => call.args.channel === APPROVAL_CHANNEL);
    const [posted] = bot.slack.messages(APPROVAL_CHANNEL);
    expect(posted).toBeDefined();
    const clicked = await bot.driver.clickButton('U0ADA', { channel: APPROVAL_CHANNEL, ts: posted?.ts ?? '' }, 'Approve');
    expect(clicked.status).toBe(200);
    await bot.slack.waitForCall('chat.postMessage', (call) => String(call.args.text ?? '').includes('was created'));
    const user = await bot.deployment.clients.cognito.send(
      new AdminGetUserCommand({ UserPoolId: bot.deployment.userPoolId, Username: 'newbie' }),
    );
    expect(user.UserStatus).toBe('FORCE_CHANGE_PASSWORD');
    const rows = await bot.deployment.clients.documents.send(
      new QueryCommand({
        TableName: bot.deployment.tables.userRoles,
        KeyConditionExpression: 'userId = :u',
        ExpressionAttributeValues: { ':u': 'newbie' },
      }),
    );
    expect(rows.Items?.map((item) => item.roleName)).toEqual(['viewer']);
    console.log(JSON.stringify(card.args).slice(0, 300));
    console.log(bot.slack.calls.map((call) => `${call.method} ${call.ok ? '' : call.error}`).join('\n'));
  });
});
