import { EXTERNAL_IDP_TEXT } from '../../src/commands/dialogs';
import { startTestBot, type TestBot } from '../support/test-bot';

describe('external identity provider (COGNITO_USER_POOL_ID unset)', () => {
  let bot: TestBot;
  beforeAll(async () => {
    bot = await startTestBot({ env: { COGNITO_USER_POOL_ID: '' } });
    await bot.deployment.addVamsUser('ada@example.com', ['admin']);
    bot.slack.addUser({ id: 'U0ADA', email: 'ada@example.com', emailConfirmed: true });
  });
  afterAll(() => bot.stop());

  it('answers /vams user create that users live in the identity provider, and opens nothing', async () => {
    const result = await bot.driver.command('U0ADA', 'user create');
    expect(result.ack).toMatchObject({ response_type: 'ephemeral', text: EXTERNAL_IDP_TEXT });
    expect(bot.slack.callsTo('views.open')).toHaveLength(0);
  });

  it('answers /vams user update that users live in the identity provider, and opens nothing', async () => {
    const result = await bot.driver.command('U0ADA', 'user update bob');
    expect(result.ack).toMatchObject({ response_type: 'ephemeral', text: EXTERNAL_IDP_TEXT });
    expect(bot.slack.callsTo('views.open')).toHaveLength(0);
  });

  it.each(['user list', 'user list car', 'user show bob'])(
    'answers /vams %s that users live in the identity provider',
    async (text) => {
      const result = await bot.driver.command('U0ADA', text);
      expect(result.ack).toMatchObject({ response_type: 'ephemeral', text: EXTERNAL_IDP_TEXT });
      const replies = bot.slack.callsTo('response_url');
      expect(replies.filter((call) => call.args.url === result.responseUrl)).toEqual([]);
    },
  );

  it('still maps people by their VAMS user ID and reads their roles', async () => {
    const result = await bot.driver.command('U0ADA', 'whoami');
    const reply = await bot.slack.waitForCall(
      'response_url',
      (call) => call.args.url === result.responseUrl,
    );
    expect(JSON.stringify(reply.args)).toContain('`admin`');
  });
});
