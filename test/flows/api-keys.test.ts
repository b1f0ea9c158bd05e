import { createHash } from 'node:crypto';
import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { LinkStore } from '../../src/stores/link.store';
import { eventually } from '../support/eventually';
import {
  addPeople,
  answerTo,
  apiKeyItem,
  cardMessage,
  clickCard,
  dmsTo,
  type FiledRequest,
  fileThroughDialog,
  finished,
  isoDay,
  keyFields,
  openedDialog,
  requestStore,
  textIn,
  threadReplies,
} from '../support/onboarding-flow';
import { APPROVAL_CHANNEL, startTestBot, type TestBot } from '../support/test-bot';
import { vamsAuthorizes } from '../support/vams-authorizer';

const KEY_VALUE = /vams_[A-Za-z0-9_-]{64}/g;
const VAMS_KEY_ATTRIBUTES = [
  'apiKeyHash',
  'apiKeyId',
  'apiKeyName',
  'createdAt',
  'createdBy',
  'description',
  'expiresAt',
  'isActive',
  'updatedAt',
  'userId',
];

/** What a dialog shows once the bot has checked the person (a notice replaces it on refusal). */
function dialogText(bot: TestBot, viewId: string): string {
  return textIn(bot.slack.views.get(viewId)?.view.blocks);
}

async function approve(bot: TestBot, filed: FiledRequest, approver = 'U0ADA') {
  await clickCard(bot, approver, filed, 'Approve');
  return finished(bot, filed);
}

function keyValuesIn(texts: string[]): string[] {
  return texts.flatMap((text) => text.match(KEY_VALUE) ?? []);
}

async function storedKey(bot: TestBot, apiKeyId: string): Promise<Record<string, unknown>> {
  const item = await apiKeyItem(bot.deployment, apiKeyId);
  if (!item) throw new Error(`no key ${apiKeyId}`);
  return item;
}

function authorize(bot: TestBot, header: string, now?: Date) {
  return vamsAuthorizes(bot.deployment.clients.documents, bot.deployment.tables, header, now);
}

async function keyIdOf(bot: TestBot, requestId: string): Promise<string> {
  const request = await requestStore(bot).get(requestId);
  if (request?.kind !== 'key.create' && request?.kind !== 'key.rotate')
    throw new Error('not a key request');
  return request.params.apiKeyId;
}

describe('API keys', () => {
  let bot: TestBot;

  beforeAll(async () => {
    bot = await startTestBot();
    await bot.deployment.addRole('viewer');
    await bot.deployment.addRole('secure', { mfaRequired: true });
    await addPeople(bot, [
      ['U0ADA', 'ada@example.com', ['admin']],
      ['U0ALAN', 'alan@example.com', ['admin']],
      ['U0BOB', 'bob@example.com', ['viewer']],
      ['U0CAROL', 'carol@example.com', ['viewer']],
      ['U0MFA', 'mfa@example.com', ['secure']],
    ]);
    await bot.deployment.addVamsUser('ci-bot', ['viewer'], 'ci-bot@example.com');
  }, 60_000);
  afterAll(() => bot.stop());

  it('a requested key is stored as VAMS stores it, reaches only its owner by DM, and passes VAMS’s authorizer', async () => {
    const filed = await fileThroughDialog(bot, 'U0BOB', 'key request', keyFields('bob-uploads'));
    const done = await approve(bot, filed);
    expect(done.status).toBe('succeeded');

    const [value, ...others] = keyValuesIn(dmsTo(bot.slack, 'U0BOB'));
    expect(others).toEqual([]);
    if (!value) throw new Error('no key in the DM');
    expect(value).toHaveLength(69);

    const apiKeyId = await keyIdOf(bot, filed.id);
    const item = await storedKey(bot, apiKeyId);
    expect(Object.keys(item).sort()).toEqual(VAMS_KEY_ATTRIBUTES);
    for (const attribute of VAMS_KEY_ATTRIBUTES) expect(typeof item[attribute]).toBe('string');
    expect(item).toMatchObject({
      apiKeyName: 'bob-uploads',
      userId: 'bob@example.com',
      createdBy: 'bob@example.com',
      isActive: 'true',
      description: 'CI pipeline bob-uploads',
      expiresAt: `${isoDay(30)}T23:59:59Z`,
      apiKeyHash: createHash('sha256').update(value, 'utf8').digest('hex'),
    });
    expect(String(item.createdAt)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/);
    expect(Object.values(item).some((attribute) => String(attribute).includes(value))).toBe(false);

    // The value: in one Slack call (the owner's DM), in no log line; the hash in no Slack call.
    const carrying = bot.slack.calls.filter((call) => JSON.stringify(call.args).includes(value));
    expect(carrying.map((call) => [call.method, call.args.channel])).toEqual([
      ['chat.postMessage', bot.slack.dmChannelOf('U0BOB')],
    ]);
    expect(bot.logs.some((line) => line.includes(value))).toBe(false);
    expect(
      bot.slack.calls.some((call) => JSON.stringify(call.args).includes(String(item.apiKeyHash))),
    ).toBe(false);
    // The checklist shows its last step within a second of its previous change.
    await eventually(() =>
      expect(textIn(threadReplies(bot.slack, filed).map((reply) => reply.blocks))).toContain(
        'delivered by DM to <@U0BOB>',
      ),
    );

    expect(await authorize(bot, value)).toEqual({ allowed: true, userId: 'bob@example.com' });
    expect(await authorize(bot, `Bearer ${value}`)).toEqual({
      allowed: true,
      userId: 'bob@example.com',
    });
    expect(await authorize(bot, value, new Date(Date.parse(`${isoDay(31)}T00:00:00Z`)))).toEqual({
      allowed: false,
      reason: 'expired',
    });

    // Revoked by its owner: no approval, and VAMS stops accepting it.
    const revoke = await bot.driver.command('U0BOB', `key revoke ${apiKeyId}`);
    const reply = await bot.slack.waitForCall(
      'response_url',
      (call) => call.args.url === revoke.responseUrl,
    );
    expect(textIn(reply.args.blocks)).toContain('about 45 seconds');
    expect(await authorize(bot, value)).toEqual({ allowed: false, reason: 'inactive' });
    expect((await storedKey(bot, apiKeyId)).isActive).toBe('false');
  });

  it('a key whose owner loses every role fails VAMS’s authorizer', async () => {
    await bot.deployment.addVamsUser('temp-user', ['viewer'], 'temp-user@example.com');
    const filed = await fileThroughDialog(
      bot,
      'U0ADA',
      'key create temp-user',
      keyFields('temp-key'),
    );
    expect((await approve(bot, filed, 'U0ALAN')).status).toBe('succeeded');
    const [value] = keyValuesIn(dmsTo(bot.slack, 'U0ADA'));
    if (!value) throw new Error('no key in the DM');
    expect(await authorize(bot, value)).toEqual({ allowed: true, userId: 'temp-user' });
    await bot.deployment.clients.documents.send(
      new DeleteCommand({
        TableName: bot.deployment.tables.userRoles,
        Key: { userId: 'temp-user', roleName: 'viewer' },
      }),
    );
    expect(await authorize(bot, value)).toEqual({ allowed: false, reason: 'no-role' });
  });

  it('refuses an owner whose only role requires MFA, saying why', async () => {
    const viewId = await openedDialog(bot, 'U0MFA', 'key request');
    await eventually(() => {
      const shown = dialogText(bot, viewId);
      if (!shown.includes('require MFA')) throw new Error(`not refused yet: ${shown}`);
      expect(shown).toContain('403');
    });
    const asAdmin = await openedDialog(bot, 'U0ADA', 'key create mfa@example.com');
    await eventually(() => {
      if (!dialogText(bot, asAdmin).includes('require MFA')) throw new Error('not refused yet');
    });
  });

  it('an owner whose role has no mfaRequired attribute gets a working key, as VAMS allows', async () => {
    // A role as older VAMS deployments or hand-made rows hold it: the attribute is missing, and
    // VAMS's own filter (`attribute_not_exists(mfaRequired) OR mfaRequired = false`) keeps it.
    await bot.deployment.clients.documents.send(
      new PutCommand({
        TableName: bot.deployment.tables.roles,
        Item: {
          roleName: 'legacy',
          id: '7f9c1c2e-3d4b-4f6a-8e1d-2b3c4d5e6f70',
          description: 'legacy role',
          createdOn: '2025-01-01T00:00:00',
        },
      }),
    );
    await bot.deployment.addVamsUser('dora@example.com', ['legacy']);
    bot.slack.addUser({ id: 'U0DORA', email: 'dora@example.com', emailConfirmed: true });
    const filed = await fileThroughDialog(bot, 'U0DORA', 'key request', keyFields('dora-legacy'));
    expect((await approve(bot, filed)).status).toBe('succeeded');
    const [value] = keyValuesIn(dmsTo(bot.slack, 'U0DORA'));
    if (!value) throw new Error('no key in the DM');
    expect(await authorize(bot, value)).toEqual({ allowed: true, userId: 'dora@example.com' });
  });

  it('names each field’s problem: duplicate name, empty description, expiry in the past or too far', async () => {
    const viewId = await openedDialog(bot, 'U0CAROL', 'key request');
    const answer = await bot.driver.submitView('U0CAROL', viewId, {
      Name: 'bob-uploads',
      Description: '   ',
      Expires: isoDay(400),
      Reason: 'x',
    });
    const errors = (answer.ack as { errors?: Record<string, string> } | null)?.errors ?? {};
    expect(errors.description).toContain('description');
    expect(errors.expires).toContain('At most 365 days');
    const past = await bot.driver.submitView(
      'U0CAROL',
      viewId,
      keyFields('bob-uploads', { Expires: isoDay(-1) }),
    );
    const pastErrors = (past.ack as { errors?: Record<string, string> } | null)?.errors ?? {};
    expect(pastErrors.expires).toContain('from today on');
    const duplicate = await bot.driver.submitView('U0CAROL', viewId, keyFields('bob-uploads'));
    expect(JSON.stringify(duplicate.ack)).toContain('already has a key with this name');
  });

  it('refuses a key name VAMS’s rule refuses, under Name, saying which characters are allowed', async () => {
    const viewId = await openedDialog(bot, 'U0CAROL', 'key request');
    const answer = await bot.driver.submitView('U0CAROL', viewId, keyFields('carol (nightly)'));
    expect(answer.ack).toMatchObject({ response_action: 'errors' });
    const errors = (answer.ack as { errors?: Record<string, string> } | null)?.errors ?? {};
    expect(Object.keys(errors)).toEqual(['name']);
    expect(errors.name).toContain('digits, spaces, hyphens (-), dots (.) and underscores (_)');
    expect(errors.name).toContain('"(" ")"');
  });

  it('a key name that reads like a DM to someone mentions nobody anywhere in Slack', async () => {
    const name = 'DM to U0ADMIN99';
    const filed = await fileThroughDialog(bot, 'U0CAROL', 'key request', keyFields(name));
    // The name is taken before the approval: the failure, shown in the thread, quotes it.
    await bot.deployment.clients.documents.send(
      new PutCommand({
        TableName: bot.deployment.tables.apiKeys,
        Item: {
          apiKeyId: '0b5f1a52-9a53-4b8e-8a4f-3c2d1e0f9a87',
          apiKeyName: name,
          apiKeyHash: 'f'.repeat(64),
          description: 'made in VAMS',
          userId: 'ada@example.com',
          createdBy: 'ada@example.com',
          createdAt: '2026-01-01T00:00:00.000000+00:00',
          updatedAt: '2026-01-01T00:00:00.000000+00:00',
          expiresAt: '',
          isActive: 'false',
        },
      }),
    );
    const done = await approve(bot, filed);
    expect(done.status).toBe('failed');
    const thread = textIn(threadReplies(bot.slack, filed).map((reply) => reply.blocks));
    expect(thread).toContain(name);
    expect(bot.slack.calls.some((call) => JSON.stringify(call.args).includes('<@U0ADMIN99>'))).toBe(
      false,
    );
  });

  it('a key that cannot be delivered by DM stays inactive, and the thread says so', async () => {
    const filed = await fileThroughDialog(
      bot,
      'U0CAROL',
      'key request',
      keyFields('carol-undeliverable'),
    );
    bot.slack.failWhen(
      'chat.postMessage',
      (args) => JSON.stringify(args).includes('Your VAMS API key'),
      'channel_not_found',
    );
    const done = await approve(bot, filed);
    expect(done.status).toBe('failed');
    const item = await storedKey(bot, await keyIdOf(bot, filed.id));
    expect(item.isActive).toBe('false');
    expect(textIn(threadReplies(bot.slack, filed).map((reply) => reply.blocks))).toContain(
      'could not be delivered by DM',
    );
    expect(keyValuesIn(dmsTo(bot.slack, 'U0CAROL'))).toEqual([]);

    // Retry replaces the unreachable key with a new one, delivered this time.
    await clickCard(bot, 'U0ADA', filed, 'Retry');
    await eventually(async () => {
      if ((await requestStore(bot).get(filed.id))?.status !== 'succeeded')
        throw new Error('not yet');
    });
    const [value] = keyValuesIn(dmsTo(bot.slack, 'U0CAROL'));
    if (!value) throw new Error('no key after Retry');
    expect(await authorize(bot, value)).toEqual({ allowed: true, userId: 'carol@example.com' });
    expect((await storedKey(bot, await keyIdOf(bot, filed.id))).isActive).toBe('true');
  });

  it('double-clicking Approve creates one key', async () => {
    const filed = await fileThroughDialog(bot, 'U0CAROL', 'key request', keyFields('carol-double'));
    const before = keyValuesIn(dmsTo(bot.slack, 'U0CAROL')).length;
    await Promise.all([
      clickCard(bot, 'U0ADA', filed, 'Approve'),
      clickCard(bot, 'U0ADA', filed, 'Approve'),
      clickCard(bot, 'U0ALAN', filed, 'Approve'),
    ]);
    await finished(bot, filed);
    const item = await storedKey(bot, await keyIdOf(bot, filed.id));
    expect(item).toMatchObject({ apiKeyName: 'carol-double', isActive: 'true' });
    expect((await bot.app.workflow.open()).some((request) => request.id === filed.id)).toBe(false);
    expect(keyValuesIn(dmsTo(bot.slack, 'U0CAROL')).length).toBe(before + 1);
  });

  it('admins create keys for other VAMS users, delivered to themselves; others may not', async () => {
    const refused = await openedDialog(bot, 'U0BOB', 'key create ci-bot');
    await eventually(() => {
      if (!dialogText(bot, refused).includes('Only VAMS admins'))
        throw new Error('not refused yet');
    });
    const filed = await fileThroughDialog(
      bot,
      'U0ADA',
      'key create ci-bot',
      keyFields('ci-bot-deploy'),
    );
    const decidedByOwner = await clickCard(bot, 'U0ADA', filed, 'Approve');
    expect(JSON.stringify((await answerTo(bot.slack, decidedByOwner)).args)).toContain(
      'someone else',
    );
    expect((await requestStore(bot).get(filed.id))?.approvals).toEqual([]);
    expect((await approve(bot, filed, 'U0ALAN')).status).toBe('succeeded');
    const [value] = keyValuesIn(dmsTo(bot.slack, 'U0ADA')).slice(-1);
    if (!value) throw new Error('no key reached the admin');
    expect(await authorize(bot, value)).toEqual({ allowed: true, userId: 'ci-bot' });
    const item = await storedKey(bot, await keyIdOf(bot, filed.id));
    expect(item).toMatchObject({ userId: 'ci-bot', createdBy: 'ada@example.com' });
  });

  it('lists metadata only: owners their own keys, admins anyone’s, expired keys marked', async () => {
    const filed = await fileThroughDialog(bot, 'U0BOB', 'key request', keyFields('bob-listed'));
    await approve(bot, filed);
    const apiKeyId = await keyIdOf(bot, filed.id);
    const item = await storedKey(bot, apiKeyId);
    await bot.deployment.clients.documents.send(
      new UpdateCommand({
        TableName: bot.deployment.tables.apiKeys,
        Key: { apiKeyId },
        UpdateExpression: 'SET expiresAt = :past',
        ExpressionAttributeValues: { ':past': '2020-01-01T00:00:00Z' },
      }),
    );
    const own = await bot.driver.command('U0BOB', 'key list');
    const listed = textIn(
      (await bot.slack.waitForCall('response_url', (call) => call.args.url === own.responseUrl))
        .args.blocks,
    );
    expect(listed).toContain('bob-listed');
    expect(listed).toContain(apiKeyId);
    expect(listed).toMatch(/bob-listed\* — expired/);
    expect(listed).not.toContain(String(item.apiKeyHash));

    const others = await bot.driver.command('U0BOB', 'key list ada@example.com');
    const refused = await bot.slack.waitForCall(
      'response_url',
      (call) => call.args.url === others.responseUrl,
    );
    expect(textIn(refused.args.blocks)).toContain('your own keys only');

    const admin = await bot.driver.command('U0ADA', 'key list bob@example.com');
    const adminView = await bot.slack.waitForCall(
      'response_url',
      (call) => call.args.url === admin.responseUrl,
    );
    expect(textIn(adminView.args.blocks)).toContain('bob-listed');
  });

  it('an admin revoking someone’s key is audited and the owner is told by DM', async () => {
    const filed = await fileThroughDialog(
      bot,
      'U0BOB',
      'key request',
      keyFields('bob-revoked-by-admin'),
    );
    await approve(bot, filed);
    const apiKeyId = await keyIdOf(bot, filed.id);
    const notBob = await bot.driver.command('U0CAROL', `key revoke ${apiKeyId}`);
    const refusal = await bot.slack.waitForCall(
      'response_url',
      (call) => call.args.url === notBob.responseUrl,
    );
    expect(textIn(refusal.args.blocks)).toContain('your own keys only');
    expect((await storedKey(bot, apiKeyId)).isActive).toBe('true');

    const revoke = await bot.driver.command('U0ADA', `key revoke ${apiKeyId}`);
    const reply = await bot.slack.waitForCall(
      'response_url',
      (call) => call.args.url === revoke.responseUrl,
    );
    expect(textIn(reply.args.blocks)).toContain('<@U0BOB> was told by DM');
    expect((await storedKey(bot, apiKeyId)).isActive).toBe('false');
    expect(
      dmsTo(bot.slack, 'U0BOB').some((dm) => dm.includes('<@U0ADA> deactivated your VAMS API key')),
    ).toBe(true);
    const events = await requestStore(bot).events(`key-${apiKeyId}`);
    expect(events.map((event) => [event.type, event.actor])).toEqual([
      ['key-revoked-by-admin', 'ada@example.com'],
    ]);
  });

  it('rotation delivers a new key with the same owner and description, then deactivates the old one', async () => {
    const first = await fileThroughDialog(
      bot,
      'U0CAROL',
      'key request',
      keyFields('carol-rotating'),
    );
    await approve(bot, first);
    const oldId = await keyIdOf(bot, first.id);
    const [oldValue] = keyValuesIn(dmsTo(bot.slack, 'U0CAROL')).slice(-1);
    if (!oldValue) throw new Error('no first key');
    const rotation = await fileThroughDialog(bot, 'U0CAROL', `key rotate ${oldId}`, {
      Reason: 'Quarterly rotation',
    });
    expect(
      textIn(
        bot.slack.messages(APPROVAL_CHANNEL).find((message) => message.ts === rotation.card.ts)
          ?.blocks,
      ),
    ).toContain('carol-rotating');
    expect((await approve(bot, rotation)).status).toBe('succeeded');
    const [newValue] = keyValuesIn(dmsTo(bot.slack, 'U0CAROL')).slice(-1);
    if (!newValue) throw new Error('no new key');
    expect(newValue).not.toBe(oldValue);
    expect(await authorize(bot, newValue)).toEqual({ allowed: true, userId: 'carol@example.com' });
    expect(await authorize(bot, oldValue)).toEqual({ allowed: false, reason: 'inactive' });
    const newItem = await storedKey(bot, await keyIdOf(bot, rotation.id));
    expect(newItem).toMatchObject({
      userId: 'carol@example.com',
      description: 'CI pipeline carol-rotating',
    });
    expect(String(newItem.apiKeyName)).toMatch(/^carol-rotating rotated \d{4}-\d\d-\d\d$/);
  });

  it('an admin’s rotation of someone’s key delivers the new value to the owner, not the admin', async () => {
    const first = await fileThroughDialog(
      bot,
      'U0BOB',
      'key request',
      keyFields('bob-admin-rotated'),
    );
    await approve(bot, first);
    const oldId = await keyIdOf(bot, first.id);
    const adminKeys = keyValuesIn(dmsTo(bot.slack, 'U0ADA')).length;
    const ownerKeys = keyValuesIn(dmsTo(bot.slack, 'U0BOB')).length;
    const rotation = await fileThroughDialog(bot, 'U0ADA', `key rotate ${oldId}`, {
      Reason: 'Leaked in a build log',
    });
    expect((await approve(bot, rotation, 'U0ALAN')).status).toBe('succeeded');
    expect(keyValuesIn(dmsTo(bot.slack, 'U0ADA'))).toHaveLength(adminKeys);
    const [newValue] = keyValuesIn(dmsTo(bot.slack, 'U0BOB')).slice(ownerKeys);
    if (!newValue) throw new Error('the owner got no new key');
    expect(await authorize(bot, newValue)).toEqual({ allowed: true, userId: 'bob@example.com' });
    expect((await storedKey(bot, oldId)).isActive).toBe('false');
  });

  it('reminds the owner once of a key expiring within a week, with a Rotate button that opens the rotation', async () => {
    const filed = await fileThroughDialog(
      bot,
      'U0BOB',
      'key request',
      keyFields('bob-expiring', { Expires: isoDay(3) }),
    );
    await approve(bot, filed);
    const apiKeyId = await keyIdOf(bot, filed.id);
    const ciKey = await fileThroughDialog(
      bot,
      'U0ADA',
      'key create ci-bot',
      keyFields('ci-bot-expiring', { Expires: isoDay(2) }),
    );
    await approve(bot, ciKey, 'U0ALAN');
    const first = await bot.app.sweeps.keys();
    expect(first.reminded).toContain(apiKeyId);
    // The CI bot is nobody in Slack: the admin who created its key hears instead.
    const ciKeyId = await keyIdOf(bot, ciKey.id);
    expect(first.reminded).toContain(ciKeyId);
    expect(
      dmsTo(bot.slack, 'U0ADA').some(
        (dm) => dm.includes(ciKeyId) && dm.includes('ci-bot-expiring') && dm.includes('Rotate'),
      ),
    ).toBe(true);
    const second = await bot.app.sweeps.keys();
    expect(second.reminded).not.toContain(apiKeyId);
    const reminders = bot.slack
      .callsTo('chat.postMessage')
      .filter(
        (call) =>
          call.ok &&
          call.args.channel === bot.slack.dmChannelOf('U0BOB') &&
          JSON.stringify(call.args).includes(apiKeyId) &&
          JSON.stringify(call.args.blocks).includes('key.rotate'),
      );
    expect(reminders).toHaveLength(1);
    const reminder = reminders[0];
    if (!reminder) throw new Error('no reminder');
    const before = new Set(bot.slack.views.keys());
    await bot.driver.clickButton(
      'U0BOB',
      {
        channel: String(reminder.args.channel),
        ts: String(
          (
            await eventually(() => {
              const stored = bot.slack
                .messages(String(reminder.args.channel))
                .find((message) => message.text === reminder.args.text);
              if (!stored) throw new Error('reminder not stored');
              return stored;
            })
          ).ts,
        ),
      },
      'Rotate',
    );
    const opened = await eventually(() => {
      const viewId = [...bot.slack.views.keys()].find((id) => !before.has(id));
      if (!viewId) throw new Error('no rotation dialog');
      return viewId;
    });
    // A loading dialog opens first; the rotation form replaces it once the key is read.
    await eventually(() => {
      expect(bot.slack.views.get(opened)?.view.callback_id).toBe('key-rotate');
    });
  });
});

describe('a key delivery slower than the execution lease', () => {
  let bot: TestBot;
  beforeAll(async () => {
    // Leases lapse after 300 ms and this instance sweeps every 100 ms.
    bot = await startTestBot({ tuning: { leaseMs: 300, sweepMs: 100 } });
    await bot.deployment.addRole('viewer');
    await addPeople(bot, [
      ['U0ADA', 'ada@example.com', ['admin']],
      ['U0BOB', 'bob@example.com', ['viewer']],
    ]);
  }, 60_000);
  afterAll(() => bot.stop());

  it('runs once: one DM, and the key it carries is the key switched on', async () => {
    const filed = await fileThroughDialog(bot, 'U0BOB', 'key request', keyFields('bob-slow-dm'));
    const held = bot.slack.hold('chat.postMessage', (args) =>
      JSON.stringify(args).includes('Your VAMS API key'),
    );
    await clickCard(bot, 'U0ADA', filed, 'Approve');
    await held.arrived;
    // Several sweeps pass while the DM is held and the lease has lapsed.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    held.release();
    expect((await finished(bot, filed)).status).toBe('succeeded');
    const values = keyValuesIn(dmsTo(bot.slack, 'U0BOB'));
    expect(values).toHaveLength(1);
    expect(await authorize(bot, values[0] ?? '')).toEqual({
      allowed: true,
      userId: 'bob@example.com',
    });
  });
});

describe('API keys reach only Slack people the bot would serve', () => {
  let bot: TestBot;
  // Owners whose email belongs, in Slack, to an account that may not receive a key.
  const refusedOwners = [
    { id: 'U0GUESTO', userId: 'guest-owner@example.com', isRestricted: true, why: 'is a guest' },
    { id: 'U0GONEO', userId: 'gone-owner@example.com', deleted: true, why: 'is deactivated' },
    {
      id: 'U0FARO',
      userId: 'far-owner@example.com',
      teamId: 'T0ELSEWHERE',
      why: 'belongs to another workspace',
    },
    {
      id: 'U0UNSUREO',
      userId: 'unsure-owner@example.com',
      emailConfirmed: false,
      why: 'has no confirmed email',
    },
  ];

  beforeAll(async () => {
    bot = await startTestBot();
    await bot.deployment.addRole('viewer');
    await addPeople(bot, [
      ['U0ADA', 'ada@example.com', ['admin']],
      ['U0ALAN', 'alan@example.com', ['admin']],
      ['U0BOB', 'bob@example.com', ['viewer']],
      ['U0CAROL', 'carol@example.com', ['viewer']],
      ['U0HOLDER', 'holder@example.com', ['viewer']],
    ]);
    for (const { id, userId, isRestricted, deleted, teamId, emailConfirmed } of refusedOwners) {
      await bot.deployment.addVamsUser(userId, ['viewer']);
      bot.slack.addUser({
        id,
        email: userId,
        emailConfirmed: emailConfirmed ?? true,
        ...(isRestricted ? { isRestricted } : {}),
        ...(deleted ? { deleted } : {}),
        ...(teamId ? { teamId } : {}),
      });
    }
    // A CI bot whose Cognito email a person holds in Slack; that person is linked to their own
    // VAMS user, so they are not the bot.
    await bot.deployment.addVamsUser('ci-runner', ['viewer'], 'ci-runner@example.com');
    bot.slack.addUser({ id: 'U0HOLDER', email: 'ci-runner@example.com', emailConfirmed: true });
    await new LinkStore(bot.deployment.clients.documents, bot.deployment.tables.bot).link(
      'U0HOLDER',
      'holder@example.com',
      'test',
    );
  }, 60_000);
  afterAll(() => bot.stop());

  /** Every key value DM'd to someone, by DM channel. */
  function keysSentTo(slackUserId: string): string[] {
    return keyValuesIn(
      bot.slack
        .callsTo('chat.postMessage')
        .filter((call) => call.args.channel === bot.slack.dmChannelOf(slackUserId))
        .map((call) => JSON.stringify(call.args)),
    );
  }

  async function adminsKeyOf(owner: string): Promise<string> {
    const filed = await fileThroughDialog(
      bot,
      'U0ADA',
      `key create ${owner}`,
      keyFields(`key-of-${owner.replace('@', ' at ')}`),
    );
    expect((await approve(bot, filed, 'U0ALAN')).status).toBe('succeeded');
    return keyIdOf(bot, filed.id);
  }

  it('an admin’s rotation goes to the admin, not to an owner account that is a guest, deactivated, foreign or unconfirmed, or linked to someone else', async () => {
    const owners = [
      ...refusedOwners,
      {
        id: 'U0HOLDER',
        userId: 'ci-runner',
        why: 'is VAMS user holder@example.com, not ci-runner',
      },
    ];
    for (const { id, userId, why } of owners) {
      const oldId = await adminsKeyOf(userId);
      const adminKeys = keysSentTo('U0ADA').length;
      const rotation = await fileThroughDialog(bot, 'U0ADA', `key rotate ${oldId}`, {
        Reason: 'Leaked in a build log',
      });
      const problem = `the Slack account ${id} ${why}`;
      expect(textIn(cardMessage(bot.slack, rotation).blocks)).toContain(
        `The new key goes to the admin who asks, not its owner: ${problem}`,
      );
      expect((await approve(bot, rotation, 'U0ALAN')).status).toBe('succeeded');
      const [newValue, ...more] = keysSentTo('U0ADA').slice(adminKeys);
      expect(more).toEqual([]);
      if (!newValue) throw new Error(`no rotated key of ${userId} reached the admin`);
      expect(await authorize(bot, newValue)).toEqual({ allowed: true, userId });
      expect(textIn(threadReplies(bot.slack, rotation).map((reply) => reply.blocks))).toContain(
        'was delivered by DM to the admin who asked',
      );
      expect(keysSentTo(id)).toEqual([]);
    }
  });

  it('an owner who becomes a guest after asking gets no key: nothing is created and the thread says why', async () => {
    const filed = await fileThroughDialog(bot, 'U0BOB', 'key request', keyFields('bob-turned'));
    bot.slack.addUser({
      id: 'U0BOB',
      email: 'bob@example.com',
      emailConfirmed: true,
      isRestricted: true,
    });
    const done = await approve(bot, filed);
    expect(done.status).toBe('failed');
    expect(done.failure).toContain('nobody may receive it (the Slack account U0BOB is a guest)');
    expect(textIn(threadReplies(bot.slack, filed).map((reply) => reply.blocks))).toContain(
      'the Slack account U0BOB is a guest',
    );
    expect(await apiKeyItem(bot.deployment, await keyIdOf(bot, filed.id))).toBeUndefined();
    expect(keysSentTo('U0BOB')).toEqual([]);
  });

  it('an owner deactivated after an admin’s rotation was filed: the admin who asked gets it, and the thread says why', async () => {
    const first = await fileThroughDialog(bot, 'U0CAROL', 'key request', keyFields('carol-owned'));
    expect((await approve(bot, first)).status).toBe('succeeded');
    const oldId = await keyIdOf(bot, first.id);
    const ownerKeys = keysSentTo('U0CAROL').length;
    const adminKeys = keysSentTo('U0ADA').length;
    const rotation = await fileThroughDialog(bot, 'U0ADA', `key rotate ${oldId}`, {
      Reason: 'Carol is leaving',
    });
    bot.slack.addUser({
      id: 'U0CAROL',
      email: 'carol@example.com',
      emailConfirmed: true,
      deleted: true,
    });
    expect((await approve(bot, rotation, 'U0ALAN')).status).toBe('succeeded');
    expect(keysSentTo('U0CAROL')).toHaveLength(ownerKeys);
    expect(keysSentTo('U0ADA')).toHaveLength(adminKeys + 1);
    expect(textIn(threadReplies(bot.slack, rotation).map((reply) => reply.blocks))).toContain(
      'Not to its owner: the Slack account U0CAROL is deactivated.',
    );
  });
});
