import { textIn } from '../support/onboarding-flow';
import { startTestBot, type TestBot } from '../support/test-bot';

describe('/vams with words it does not know', () => {
  let bot: TestBot;
  beforeAll(async () => {
    bot = await startTestBot();
  });
  afterAll(() => bot.stop());

  it.each([
    ['one 4,000-character word', 'x'.repeat(4000)],
    ['a known family and a 4,000-character word', `user ${'y'.repeat(4000)}`],
    ['2,000 short words', Array.from({ length: 2000 }, () => 'zz').join(' ')],
    ['4,000 characters Slack escapes', '<&>'.repeat(1334)],
  ])('answers %s with a short usage message inside the ack', async (_label, text) => {
    const started = Date.now();
    const result = await bot.driver.command('U0ANYONE', text);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(result.status).toBe(200);
    const said = textIn(result.ack);
    expect(said).toContain('Unknown command');
    expect(said).toContain('…');
    expect(said).toContain('/vams help');
    expect(said.length).toBeLessThan(1000);
  });

  it.each(['user delete', 'user delete ada', 'USER Delete ada extra'])(
    '`/vams %s` points at offboarding',
    async (text) => {
      const result = await bot.driver.command('U0ANYONE', text);
      expect(result.status).toBe(200);
      expect(textIn(result.ack)).toContain('/vams user offboard <userId>');
    },
  );
});
