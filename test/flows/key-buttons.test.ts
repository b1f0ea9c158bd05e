import { eventually } from '../support/eventually';
import { apiKeyItem, dmsTo, requestStore, seedApiKey, textIn } from '../support/onboarding-flow';
import { startTestBot, type TestBot } from '../support/test-bot';

// Rotate and Revoke wherever keys are listed, and `/vams key delete`: each button runs the
// command's own rules with the clicker's roles at click time.

describe('API key buttons and deletion', () => {
  let bot: TestBot;

  async function replyOf(slackUserId: string, text: string) {
    const command = await bot.driver.command(slackUserId, text);
    const answer = await bot.slack.waitForCall(
      'response_url',
      (call) => call.args.url === command.responseUrl,
    );
    return {
      blocks: Array.isArray(answer.args.blocks) ? answer.args.blocks : [],
      text: textIn(answer.args),
    };
  }

  async function clickIn(slackUserId: string, blocks: unknown[], label: string, apiKeyId: string) {
    const mine = blocks.filter((block) => JSON.stringify(block).includes(apiKeyId));
    const click = await bot.driver.clickButton(
      slackUserId,
      { ephemeral: { channel: 'C0GENERAL', blocks: mine } },
      label,
    );
    const answer = await bot.slack.waitForCall(
      'response_url',
      (call) => call.args.url === click.responseUrl,
    );
    return textIn(answer.args);
  }

  beforeAll(async () => {
    bot = await startTestBot();
    await bot.deployment.addRole('viewer');
    await bot.deployment.addVamsUser('ada@example.com', ['admin']);
    await bot.deployment.addVamsUser('vic', ['viewer'], 'vic@example.com');
    await bot.deployment.addVamsUser('una', ['viewer'], 'una@example.com');
    bot.slack.addUser({ id: 'U0ADA', email: 'ada@example.com', emailConfirmed: true });
    bot.slack.addUser({ id: 'U0VIC', email: 'vic@example.com', emailConfirmed: true });
    bot.slack.addUser({ id: 'U0UNA', email: 'una@example.com', emailConfirmed: true });
  });
  afterAll(() => bot.stop());

  it('deletes a key after one more click by its owner; VAMS no longer holds it', async () => {
    const apiKeyId = await seedApiKey(bot.deployment, 'vic', 'vic-old');
    const asked = await replyOf('U0VIC', `key delete ${apiKeyId}`);
    expect(asked.text).toContain('cannot be brought back');
    expect(await apiKeyItem(bot.deployment, apiKeyId)).toBeDefined();
    expect(await clickIn('U0VIC', asked.blocks, 'Delete', apiKeyId)).toContain('Deleted API key');
    expect(await apiKeyItem(bot.deployment, apiKeyId)).toBeUndefined();
    const events = await requestStore(bot).events(`key-${apiKeyId}`);
    expect(events.map((event) => [event.type, event.actor])).toEqual([
      ['key-deleted-by-owner', 'vic'],
    ]);
    expect(bot.logs.some((line) => line.includes('[AUTHCHANGES][type: apiKeyDelete]'))).toBe(true);
  });

  it("refuses someone else's key to a plain user, even by the button, and tells an owner an admin deleted theirs", async () => {
    const apiKeyId = await seedApiKey(bot.deployment, 'vic', 'vic-ci');
    const refused = await replyOf('U0UNA', `key delete ${apiKeyId}`);
    expect(refused.blocks.some((block) => JSON.stringify(block).includes('Delete'))).toBe(false);
    // A Delete button seen by an admin, clicked by Una: refused at click time.
    const asked = await replyOf('U0ADA', `key delete ${apiKeyId}`);
    expect(await clickIn('U0UNA', asked.blocks, 'Delete', apiKeyId)).not.toContain('Deleted');
    expect(await apiKeyItem(bot.deployment, apiKeyId)).toBeDefined();
    expect(await clickIn('U0ADA', asked.blocks, 'Delete', apiKeyId)).toContain('was told by DM');
    expect(await apiKeyItem(bot.deployment, apiKeyId)).toBeUndefined();
    await eventually(() =>
      expect(dmsTo(bot.slack, 'U0VIC').some((dm) => dm.includes('deleted your VAMS API key'))).toBe(
        true,
      ),
    );
    // Clicking again finds nothing to delete.
    expect(await clickIn('U0ADA', asked.blocks, 'Delete', apiKeyId)).toContain(
      'nothing was changed',
    );
  });

  it('revokes from the key list, and offers no buttons on a revoked key', async () => {
    const apiKeyId = await seedApiKey(bot.deployment, 'vic', 'vic-list');
    const listed = await replyOf('U0VIC', 'key list');
    expect(await clickIn('U0VIC', listed.blocks, 'Revoke', apiKeyId)).toContain('vic-list');
    expect((await apiKeyItem(bot.deployment, apiKeyId))?.isActive).toBe('false');
    const again = await replyOf('U0VIC', 'key list');
    const shown = again.blocks.filter((block) => JSON.stringify(block).includes(apiKeyId));
    expect(JSON.stringify(shown)).not.toContain('"Revoke"');
  });

  it('revokes from the Home tab, and the Home says so', async () => {
    const apiKeyId = await seedApiKey(bot.deployment, 'vic', 'vic-home');
    await bot.driver.openHome('U0VIC');
    await eventually(() => {
      if (!JSON.stringify(bot.slack.homeOf('U0VIC')).includes(apiKeyId)) throw new Error('not yet');
    });
    const before = bot.slack.homeViews.get('U0VIC')?.length ?? 0;
    await bot.driver.clickButton(
      'U0VIC',
      { home: 'U0VIC', block: `home-key:${apiKeyId}` },
      'Revoke',
    );
    await eventually(() =>
      expect(bot.slack.homeViews.get('U0VIC')?.length ?? 0).toBeGreaterThan(before),
    );
    expect(textIn(bot.slack.homeOf('U0VIC')?.blocks)).toContain('vic-home');
    expect((await apiKeyItem(bot.deployment, apiKeyId))?.isActive).toBe('false');
  });

  it.each(['key delete', 'key delete a b', 'key delete <bad>'])(
    '`/vams %s` gets the usage',
    async (text) => {
      const command = await bot.driver.command('U0VIC', text);
      expect(textIn(command.ack)).toContain('Usage: `/vams key delete <apiKeyId>`');
    },
  );
});
