import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { eventually } from '../support/eventually';
import {
  apiKeyItem,
  dmsTo,
  type FiledRequest,
  fileThroughDialog,
  finished,
  openedDialog,
  requestStore,
  seedApiKey,
  storedRequest,
  textIn,
} from '../support/onboarding-flow';
import { startTestBot, type TestBot } from '../support/test-bot';
import { vamsAuthorizes } from '../support/vams-authorizer';

// `/vams key update` and `key reactivate`, judged by what VAMS's own authorizer makes of the key.

const DAY = 86_400_000;
const day = (offset: number) => new Date(Date.now() + offset * DAY).toISOString().slice(0, 10);
const endOf = (date: string) => `${date}T23:59:59Z`;

describe('API key update and reactivation', () => {
  let bot: TestBot;

  /** A key as VAMS writes one, with a value the test knows. */
  async function seedKey(
    userId: string,
    fields: { expiresAt?: string; isActive?: 'true' | 'false'; description?: string } = {},
  ) {
    const apiKeyId = randomUUID();
    const value = `vams_${randomBytes(48).toString('base64url')}`;
    await bot.deployment.clients.documents.send(
      new PutCommand({
        TableName: bot.deployment.tables.apiKeys,
        Item: {
          apiKeyId,
          apiKeyName: `key-${apiKeyId.slice(0, 8)}`,
          apiKeyHash: createHash('sha256').update(value, 'utf8').digest('hex'),
          description: fields.description ?? 'CI uploads',
          userId,
          createdBy: userId,
          createdAt: '2026-01-01T00:00:00.000000+00:00',
          updatedAt: '2026-01-01T00:00:00.000000+00:00',
          expiresAt: fields.expiresAt ?? endOf(day(10)),
          isActive: fields.isActive ?? 'true',
        },
      }),
    );
    return { apiKeyId, value };
  }

  const verdict = (value: string, at = new Date()) =>
    vamsAuthorizes(bot.deployment.clients.documents, bot.deployment.tables, value, at);

  /** What a command's dialog turned into once the bot read the key. */
  async function dialogOf(slackUserId: string, text: string) {
    const viewId = await openedDialog(bot, slackUserId, text);
    return eventually(() => {
      const view = bot.slack.views.get(viewId)?.view;
      if (String(textIn(view?.blocks)).includes('Loading…')) throw new Error('still loading');
      return { viewId, view, text: textIn(view?.blocks) };
    });
  }

  beforeAll(async () => {
    bot = await startTestBot({ env: { API_KEY_MAX_DAYS: '90' } });
    await bot.deployment.addRole('viewer');
    await bot.deployment.addVamsUser('ada@example.com', ['admin']);
    await bot.deployment.addVamsUser('vic', ['viewer'], 'vic@example.com');
    await bot.deployment.addVamsUser('una', ['viewer'], 'una@example.com');
    bot.slack.addUser({ id: 'U0ADA', email: 'ada@example.com', emailConfirmed: true });
    bot.slack.addUser({ id: 'U0VIC', email: 'vic@example.com', emailConfirmed: true });
    bot.slack.addUser({ id: 'U0UNA', email: 'una@example.com', emailConfirmed: true });
  });
  afterAll(() => bot.stop());

  it('shortens an expiry at once for the owner: VAMS refuses the key after the new end', async () => {
    const { apiKeyId, value } = await seedKey('vic');
    const dialog = await dialogOf('U0VIC', `key update ${apiKeyId}`);
    expect(dialog.text).toContain('later expiry is a request');
    const submitted = await bot.driver.submitView('U0VIC', dialog.viewId, {
      Expires: day(2),
      Reason: 'The migration finishes sooner',
    });
    expect(JSON.stringify(submitted.ack)).toContain('No approval was needed');
    expect((await apiKeyItem(bot.deployment, apiKeyId))?.expiresAt).toBe(endOf(day(2)));
    expect(await verdict(value, new Date(Date.now() + DAY))).toMatchObject({ allowed: true });
    expect(await verdict(value, new Date(Date.now() + 3 * DAY))).toEqual({
      allowed: false,
      reason: 'expired',
    });
    const events = await requestStore(bot).events(`key-${apiKeyId}`);
    expect(events.map((event) => event.type)).toEqual(['key-updated-by-owner']);
    expect(bot.logs.some((line) => line.includes('[AUTHCHANGES][type: apiKeyUpdate]'))).toBe(true);
  });

  it("changes another's description at once as an admin and tells the owner; refuses a plain user", async () => {
    const { apiKeyId } = await seedKey('vic');
    const refused = await dialogOf('U0UNA', `key update ${apiKeyId}`);
    expect(refused.text).toContain('is not yours');
    const dialog = await dialogOf('U0ADA', `key update ${apiKeyId}`);
    const same = await bot.driver.submitView('U0ADA', dialog.viewId, { Reason: 'Tidy up' });
    expect(JSON.stringify(same.ack)).toContain('Nothing would change');
    await bot.driver.submitView('U0ADA', dialog.viewId, {
      Description: 'Nightly scans',
      Reason: 'Tidy up',
    });
    expect((await apiKeyItem(bot.deployment, apiKeyId))?.description).toBe('Nightly scans');
    await eventually(() => {
      if (!dmsTo(bot.slack, 'U0VIC').some((dm) => dm.includes('updated your VAMS API key')))
        throw new Error('no DM yet');
    });
  });

  it('extends an expiry only through an approval; VAMS then accepts the key past the old end', async () => {
    const { apiKeyId, value } = await seedKey('vic', { expiresAt: endOf(day(3)) });
    const filed: FiledRequest = await fileThroughDialog(bot, 'U0VIC', `key update ${apiKeyId}`, {
      Expires: day(30),
      Reason: 'The project runs another month',
    });
    expect((await storedRequest(bot, filed.id)).kind).toBe('key.update');
    expect((await apiKeyItem(bot.deployment, apiKeyId))?.expiresAt).toBe(endOf(day(3)));
    await bot.driver.clickButton('U0ADA', filed.card, 'Approve');
    expect((await finished(bot, filed)).status).toBe('succeeded');
    expect((await apiKeyItem(bot.deployment, apiKeyId))?.expiresAt).toBe(endOf(day(30)));
    expect(await verdict(value, new Date(Date.now() + 10 * DAY))).toMatchObject({ allowed: true });
  });

  it('reactivates a deactivated key through an approval: VAMS accepts it again', async () => {
    const { apiKeyId, value } = await seedKey('vic', { isActive: 'false' });
    expect(await verdict(value)).toEqual({ allowed: false, reason: 'inactive' });
    const update = await dialogOf('U0VIC', `key update ${apiKeyId}`);
    expect(update.text).toContain(`/vams key reactivate ${apiKeyId}`);
    const filed = await fileThroughDialog(bot, 'U0VIC', `key reactivate ${apiKeyId}`, {
      Reason: 'Revoked by mistake',
    });
    expect(await verdict(value)).toEqual({ allowed: false, reason: 'inactive' });
    await bot.driver.clickButton('U0ADA', filed.card, 'Approve');
    expect((await finished(bot, filed)).status).toBe('succeeded');
    expect((await apiKeyItem(bot.deployment, apiKeyId))?.isActive).toBe('true');
    expect(await verdict(value)).toMatchObject({ allowed: true, userId: 'vic' });
  });

  it('refuses to reactivate an active, expired or role-less key', async () => {
    const active = await seedKey('vic');
    expect((await dialogOf('U0VIC', `key reactivate ${active.apiKeyId}`)).text).toContain(
      'is active already',
    );
    const expired = await seedKey('vic', {
      isActive: 'false',
      expiresAt: '2026-01-02T00:00:00Z',
    });
    expect((await dialogOf('U0VIC', `key reactivate ${expired.apiKeyId}`)).text).toContain(
      'would not work even if active',
    );
    const orphan = await seedKey('gone-user', { isActive: 'false' });
    expect((await dialogOf('U0ADA', `key reactivate ${orphan.apiKeyId}`)).text).toContain(
      'holds no VAMS role',
    );
  });
});

describe('/vams key list --all', () => {
  let bot: TestBot;

  async function listed(slackUserId: string, text: string) {
    const command = await bot.driver.command(slackUserId, text);
    if (command.ack) return { text: textIn(command.ack), blocks: [] as unknown[] };
    const answer = await bot.slack.waitForCall(
      'response_url',
      (call) => call.args.url === command.responseUrl,
    );
    return {
      text: textIn(answer.args),
      blocks: Array.isArray(answer.args.blocks) ? (answer.args.blocks as unknown[]) : [],
    };
  }
  const idsIn = (text: string) => [...text.matchAll(/id `([0-9a-f-]{36})`/g)].map((m) => m[1]);

  beforeAll(async () => {
    bot = await startTestBot();
    await bot.deployment.addRole('viewer');
    await bot.deployment.addVamsUser('ada@example.com', ['admin']);
    await bot.deployment.addVamsUser('vic', ['viewer'], 'vic@example.com');
    bot.slack.addUser({ id: 'U0ADA', email: 'ada@example.com', emailConfirmed: true });
    bot.slack.addUser({ id: 'U0VIC', email: 'vic@example.com', emailConfirmed: true });
  });
  afterAll(() => bot.stop());

  it('pages through every key for admins, 24 at a time, missing none; refuses others', async () => {
    const seeded = new Set<string>();
    for (let index = 0; index < 30; index += 1) seeded.add(await seedApiKey(bot.deployment, 'vic'));
    expect((await listed('U0VIC', 'key list --all')).text).toContain('Only VAMS admins');
    const first = await listed('U0ADA', 'key list --all');
    expect(idsIn(first.text)).toHaveLength(24);
    const click = await bot.driver.clickButton(
      'U0ADA',
      { ephemeral: { channel: 'C0GENERAL', blocks: first.blocks } },
      'Next page',
    );
    const second = await bot.slack.waitForCall(
      'response_url',
      (call) => call.args.url === click.responseUrl,
    );
    const rest = idsIn(textIn(second.args));
    expect(rest).toHaveLength(6);
    expect(new Set([...idsIn(first.text), ...rest])).toEqual(seeded);
    expect(JSON.stringify(second.args)).not.toContain('Next page');
    // Clicked by someone who is not an admin: refused at click time.
    const stranger = await bot.driver.clickButton(
      'U0VIC',
      { ephemeral: { channel: 'C0GENERAL', blocks: first.blocks } },
      'Next page',
    );
    const refused = await bot.slack.waitForCall(
      'response_url',
      (call) => call.args.url === stranger.responseUrl,
    );
    expect(textIn(refused.args)).toContain('Only VAMS admins');
  });

  it('filters inactive and orphaned keys, and names the filters on a typo', async () => {
    const gone = await seedApiKey(bot.deployment, 'left-the-company');
    const inactive = await listed('U0ADA', 'key list --all inactive');
    expect(inactive.text).toContain('None');
    const orphaned = await listed('U0ADA', 'key list --all orphaned');
    expect(idsIn(orphaned.text)).toEqual([gone]);
    expect((await listed('U0ADA', 'key list --all stale')).text).toContain(
      '`expiring`, `inactive` or `orphaned`',
    );
  });
});
