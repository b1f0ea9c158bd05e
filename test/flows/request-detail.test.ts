import { fileThroughDialog, finished, textIn } from '../support/onboarding-flow';
import { startTestBot, type TestBot } from '../support/test-bot';

// `/vams request <id>`: one request in full with its audit trail, for those it concerns.

describe('/vams request <id>', () => {
  let bot: TestBot;

  async function reply(slackUserId: string, text: string): Promise<string> {
    const command = await bot.driver.command(slackUserId, text);
    if (command.ack && typeof command.ack === 'object') return textIn(command.ack);
    const answer = await bot.slack.waitForCall(
      'response_url',
      (call) => call.args.url === command.responseUrl,
    );
    return textIn(answer.args);
  }

  beforeAll(async () => {
    bot = await startTestBot({ env: { GRANT_DURATIONS: '60', GRANT_MAX_MINUTES: '60' } });
    for (const role of ['viewer', 'editor']) await bot.deployment.addRole(role);
    await bot.deployment.addVamsUser('ada@example.com', ['admin']);
    await bot.deployment.addVamsUser('vic', ['viewer'], 'vic@example.com');
    await bot.deployment.addVamsUser('una', ['viewer'], 'una@example.com');
    bot.slack.addUser({ id: 'U0ADA', email: 'ada@example.com', emailConfirmed: true });
    bot.slack.addUser({ id: 'U0VIC', email: 'vic@example.com', emailConfirmed: true });
    bot.slack.addUser({ id: 'U0UNA', email: 'una@example.com', emailConfirmed: true });
  });
  afterAll(() => bot.stop());

  it('shows the requester who filed, who approved, each step and its time', async () => {
    const filed = await fileThroughDialog(bot, 'U0VIC', 'role request', {
      Roles: ['editor'],
      Duration: '1 hour',
      Reason: 'Review the new asset batch',
    });
    await bot.driver.clickButton('U0ADA', filed.card, 'Approve');
    expect((await finished(bot, filed)).status).toBe('succeeded');
    const text = await reply('U0VIC', `request ${filed.id.toLowerCase()}`);
    expect(text).toContain(`Role grant request ${filed.id}`);
    expect(text).toContain('*Status:* succeeded');
    expect(text).toContain('Review the new asset batch');
    expect(text).toContain('*Audit trail*');
    expect(text).toMatch(/\*requested\* by `vic`/);
    expect(text).toMatch(/\*approved\* by `ada@example.com`/);
    expect(text).toMatch(/\*succeeded\*/);
    expect(text).toContain('*Steps*');
    expect(text).toContain('<!date^');
    // Admins may read it too; someone it does not concern may not, nor learn that it exists.
    expect(await reply('U0ADA', `request ${filed.id}`)).toContain('*Audit trail*');
    const stranger = await reply('U0UNA', `request ${filed.id}`);
    expect(stranger).toContain(`There is no request ${filed.id} that you may read`);
    expect(await reply('U0UNA', 'request RZZZZZZZZ')).toContain(
      'There is no request RZZZZZZZZ that you may read',
    );
  });

  it('shows who refused and why', async () => {
    const filed = await fileThroughDialog(bot, 'U0VIC', 'role request', {
      Roles: ['editor'],
      Duration: '1 hour',
      Reason: 'Review the next asset batch',
    });
    const viewsBefore = new Set(bot.slack.views.keys());
    await bot.driver.clickButton('U0ADA', filed.card, 'Reject');
    await bot.slack.waitForCall('views.open', (call) =>
      JSON.stringify(call.args.view ?? '').includes(filed.id),
    );
    const dialog = [...bot.slack.views.keys()].find((id) => !viewsBefore.has(id)) ?? '';
    await bot.driver.submitView('U0ADA', dialog, { Comment: 'Ask your lead first' });
    // The requester reads the comment in their DM too.
    await bot.slack.waitForCall('chat.postMessage', (call) =>
      String(call.args.text).includes('who wrote: “Ask your lead first”'),
    );
    const text = await reply('U0VIC', `request ${filed.id}`);
    expect(text).toContain('*Status:* rejected');
    expect(text).toContain('“Ask your lead first”');
    expect(text).toMatch(/\*rejected\* by `ada@example.com` — comment: Ask your lead first/);
  });

  it.each(['request', 'request R1 R2', 'request <script>', 'request R123'])(
    '`/vams %s` gets the usage',
    async (text) => {
      expect(await reply('U0VIC', text)).toContain('Usage: `/vams request <id>`');
    },
  );
});
