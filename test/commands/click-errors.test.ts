import { fromSlackText } from '../../src/commands/vams.command';
import { answerTo, fileOnboarding, textIn } from '../support/onboarding-flow';
import { startTestBot, type TestBot } from '../support/test-bot';

describe('a click that fails inside', () => {
  let bot: TestBot;
  beforeAll(async () => {
    bot = await startTestBot();
    await bot.deployment.addRole('viewer');
    await bot.deployment.addVamsUser('ada@example.com', ['admin']);
    await bot.deployment.addVamsUser('alan@example.com', ['admin']);
    bot.slack.addUser({ id: 'U0ADA', email: 'ada@example.com', emailConfirmed: true });
    bot.slack.addUser({ id: 'U0ALAN', email: 'alan@example.com', emailConfirmed: true });
  });
  afterAll(() => bot.stop());

  it('still answers the clicker, with a reference, and changes nothing', async () => {
    const filed = await fileOnboarding(bot, 'U0ADA', { userId: 'someone' });
    let failing = true;
    bot.app.backend.clients.documents.middlewareStack.add(
      (next, context) => async (args) => {
        if (failing && ['GetCommand', 'GetItemCommand'].includes(context.commandName ?? ''))
          throw new Error('DynamoDB is unavailable');
        return next(args);
      },
      { step: 'initialize', name: 'failGets' },
    );
    const click = await bot.driver.clickButton('U0ALAN', filed.card, 'Approve');
    const said = textIn((await answerTo(bot.slack, click)).args);
    failing = false;
    expect(said).toMatch(/internal error \(reference [0-9a-f]{8}\)/);
    // The reference finds the logged error.
    const reference = /reference ([0-9a-f]{8})/.exec(said)?.[1] ?? 'none';
    expect(bot.logs.some((line) => line.includes(reference))).toBe(true);
    expect((await bot.app.workflow.get(filed.id))?.status).toBe('pending');
  });
});

describe('fromSlackText', () => {
  it('turns the entities Slack puts in command text back into what was typed', () => {
    expect(fromSlackText('user list a&amp;b &lt;x&gt;')).toBe('user list a&b <x>');
  });
});
