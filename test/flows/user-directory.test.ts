import { createHash } from 'node:crypto';
import {
  AddCustomAttributesCommand,
  AdminCreateUserCommand,
  AdminDisableUserCommand,
  AdminSetUserMFAPreferenceCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { seedUserRole } from '../../src/backend/provision';
import { checkMessage } from '../../src/views/block-kit-limits';
import { REASON_IDS } from '../../src/views/reason.view';
import { eventually } from '../support/eventually';
import {
  answerTo,
  apiKeyItem,
  buttonLabels,
  cognitoUser,
  helpShown,
  recordCognitoCommands,
  type SentCognitoCommand,
  submittedDm,
  textIn,
} from '../support/onboarding-flow';
import type { RecordedCall } from '../support/slack-standin';
import { APPROVAL_CHANNEL, startTestBot, type TestBot } from '../support/test-bot';

const CHANNEL = 'C0GENERAL';

function blocksOf(call: RecordedCall): unknown[] {
  return Array.isArray(call.args.blocks) ? call.args.blocks : [];
}

/** The bot's answer to a slash command, through the command's response_url. */
async function replyTo(bot: TestBot, slackUserId: string, text: string): Promise<RecordedCall> {
  const command = await bot.driver.command(slackUserId, text);
  expect(command.status).toBe(200);
  return bot.slack.waitForCall('response_url', (call) => call.args.url === command.responseUrl);
}

/** A click on a button of an ephemeral reply, and the bot's answer to it. */
async function clickOn(
  bot: TestBot,
  slackUserId: string,
  shown: RecordedCall,
  label: string,
): Promise<RecordedCall> {
  const click = await bot.driver.clickButton(
    slackUserId,
    { ephemeral: { channel: CHANNEL, blocks: blocksOf(shown) } },
    label,
  );
  expect(click.status).toBe(200);
  return answerTo(bot.slack, click);
}

/** User IDs listed, in order: each line of a list starts with the User ID in code. */
function listed(call: RecordedCall): string[] {
  return blocksOf(call)
    .filter((block) => JSON.stringify(block).includes('"type":"section"'))
    .flatMap((block) => textIn(block).split('\n'))
    .flatMap((line) => {
      const userId = /^`([^`]+)` · /.exec(line)?.[1];
      return userId ? [userId] : [];
    });
}

function buttonValues(call: RecordedCall): string[] {
  return [...JSON.stringify(blocksOf(call)).matchAll(/"value":"([^"]*)"/g)].map(
    (match) => match[1] ?? '',
  );
}

const numbered = (from: number, to: number) =>
  Array.from(
    { length: to - from + 1 },
    (_, index) => `user-${String(from + index).padStart(3, '0')}`,
  );

async function addAdminRoleRow(bot: TestBot, userId: string, role: string): Promise<void> {
  await seedUserRole(
    bot.deployment.clients.documents,
    bot.deployment.tables.userRoles,
    userId,
    role,
  );
}

describe('/vams user list pages through a large pool', () => {
  let bot: TestBot;
  let sent: SentCognitoCommand[];
  beforeAll(async () => {
    bot = await startTestBot();
    sent = recordCognitoCommands(bot);
    // The people asking hold VAMS roles but are not in the pool, so the pool holds exactly the
    // 130 users, in the order they were created.
    await addAdminRoleRow(bot, 'ada@example.com', 'admin');
    await addAdminRoleRow(bot, 'alan@example.com', 'admin');
    bot.slack.addUser({ id: 'U0ADA', email: 'ada@example.com', emailConfirmed: true });
    bot.slack.addUser({ id: 'U0ALAN', email: 'alan@example.com', emailConfirmed: true });
    for (const userId of numbered(1, 130))
      await bot.deployment.addCognitoUser(userId, `${userId}@example.com`);
  }, 60_000);
  afterAll(() => bot.stop());

  it('shows 60 users a page, one ListUsers call each, forwards to the end and back', async () => {
    const from = sent.length;
    const first = await replyTo(bot, 'U0ADA', 'user list');
    expect(listed(first)).toEqual(numbered(1, 60));
    expect(buttonLabels(first.args.blocks)).toEqual(['Next page']);

    const second = await clickOn(bot, 'U0ADA', first, 'Next page');
    expect(second.args.replace_original).toBe(true);
    expect(listed(second)).toEqual(numbered(61, 120));
    expect(buttonLabels(second.args.blocks)).toEqual(['Previous page', 'Next page']);

    const third = await clickOn(bot, 'U0ADA', second, 'Next page');
    expect(third.args.replace_original).toBe(true);
    expect(listed(third)).toEqual(numbered(121, 130));
    expect(buttonLabels(third.args.blocks)).toEqual(['Previous page']);
    expect(textIn(third.args.blocks)).toContain('Users 121–130');

    const backToSecond = await clickOn(bot, 'U0ADA', third, 'Previous page');
    expect(listed(backToSecond)).toEqual(numbered(61, 120));
    const backToFirst = await clickOn(bot, 'U0ADA', backToSecond, 'Previous page');
    expect(listed(backToFirst)).toEqual(numbered(1, 60));
    expect(buttonLabels(backToFirst.args.blocks)).toEqual(['Next page']);

    for (const page of [first, second, third, backToSecond, backToFirst])
      expect(checkMessage({ text: String(page.args.text), blocks: blocksOf(page) })).toEqual([]);

    // Paged as Cognito pages, never read whole: one call of at most 60 per page shown.
    const listCalls = sent.slice(from).filter((command) => command.command === 'ListUsersCommand');
    expect(listCalls).toHaveLength(5);
    for (const call of listCalls) expect(call.input.Limit).toBe(60);
    // Cognito's tokens stay in the bot table: buttons carry only `<listId>:<page>`.
    const tokens = listCalls.flatMap((call) =>
      typeof call.input.PaginationToken === 'string' ? [call.input.PaginationToken] : [],
    );
    expect(tokens.length).toBeGreaterThan(0);
    const everythingSlackSaw = JSON.stringify(bot.slack.calls);
    for (const token of tokens) expect(everythingSlackSaw).not.toContain(token);
    for (const value of buttonValues(second)) expect(value).toMatch(/^[\w-]+:\d+$/);
  });

  it('keeps paging state in the bot table, with an expiry and its owner', async () => {
    const first = await replyTo(bot, 'U0ADA', 'user list');
    const [listId] = (buttonValues(first)[0] ?? '').split(':');
    const items = await bot.deployment.clients.documents.send(
      new QueryCommand({
        TableName: bot.deployment.tables.bot,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `LIST#${listId}` },
      }),
    );
    expect(items.Items?.map((item) => item.sk).sort()).toEqual(['PAGE#1', 'PAGE#2']);
    for (const item of items.Items ?? []) {
      expect(item.ownerSlackUserId).toBe('U0ADA');
      expect(item.ttl).toBeGreaterThan(Date.now() / 1000);
    }
  });

  it('refuses anyone else’s click on the buttons and leaves the list as it was', async () => {
    const first = await replyTo(bot, 'U0ADA', 'user list');
    const second = await clickOn(bot, 'U0ADA', first, 'Next page');
    for (const label of ['Next page', 'Previous page']) {
      const answer = await clickOn(bot, 'U0ALAN', second, label);
      expect(answer.args.replace_original).toBe(false);
      expect(answer.args.response_type).toBe('ephemeral');
      expect(textIn(answer.args)).toContain('Only <@U0ADA>, who asked for this list, can page it');
      expect(listed(answer)).toEqual([]);
    }
  });
});

describe('/vams user list with a prefix, and /vams user show', () => {
  let bot: TestBot;
  let sent: SentCognitoCommand[];
  const keyValue = 'vams_thisIsTheSecretKeyValueThatOnlyItsOwnerEverSees0123456789abcdefgh';
  const keyHash = createHash('sha256').update(keyValue, 'utf8').digest('hex');

  beforeAll(async () => {
    bot = await startTestBot({ env: { MANAGER_ROLES: 'manager' } });
    sent = recordCognitoCommands(bot);
    const { deployment } = bot;
    for (const role of ['manager', 'viewer', 'reviewer']) await deployment.addRole(role);
    await addAdminRoleRow(bot, 'ada@example.com', 'admin');
    await addAdminRoleRow(bot, 'max@example.com', 'manager');
    await addAdminRoleRow(bot, 'vic@example.com', 'viewer');
    bot.slack.addUser({ id: 'U0ADA', email: 'ada@example.com', emailConfirmed: true });
    bot.slack.addUser({ id: 'U0MAX', email: 'max@example.com', emailConfirmed: true });
    bot.slack.addUser({ id: 'U0VIC', email: 'vic@example.com', emailConfirmed: true });
    await deployment.addCognitoUser('carol', 'carol@example.com');
    await deployment.addCognitoUser('cartman', 'eric@example.com');
    await deployment.addCognitoUser('zed', 'carla@example.com');
    await deployment.addCognitoUser('bob', 'bob@example.com');
    await deployment.clients.cognito.send(
      new AdminDisableUserCommand({ UserPoolId: deployment.userPoolId, Username: 'bob' }),
    );

    const cognito = deployment.clients.cognito;
    await cognito.send(
      new AddCustomAttributesCommand({
        UserPoolId: deployment.userPoolId,
        CustomAttributes: [{ Name: 'department', AttributeDataType: 'String', Mutable: true }],
      }),
    );
    await cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: deployment.userPoolId,
        Username: 'dora',
        MessageAction: 'SUPPRESS',
        UserAttributes: [
          { Name: 'email', Value: 'dora@example.com' },
          { Name: 'email_verified', Value: 'true' },
          { Name: 'phone_number', Value: '+14155550123' },
          { Name: 'phone_number_verified', Value: 'false' },
          { Name: 'custom:department', Value: 'Research & Development' },
        ],
      }),
    );
    await cognito.send(
      new AdminSetUserMFAPreferenceCommand({
        UserPoolId: deployment.userPoolId,
        Username: 'dora',
        SMSMfaSettings: { Enabled: true, PreferredMfa: true },
      }),
    );
    await seedUserRole(deployment.clients.documents, deployment.tables.userRoles, 'dora', 'viewer');
    await seedUserRole(
      deployment.clients.documents,
      deployment.tables.userRoles,
      'dora',
      'reviewer',
    );
    // Keys exactly as VAMS writes them: every attribute a string.
    const key = (item: Record<string, string>) =>
      deployment.clients.documents.send(
        new PutCommand({ TableName: deployment.tables.apiKeys, Item: item }),
      );
    await key({
      apiKeyId: '5b0c7f4e-1111-4a4a-9c9c-0123456789ab',
      apiKeyName: 'dora-ci',
      apiKeyHash: keyHash,
      description: 'Pipeline uploads',
      userId: 'dora',
      createdBy: 'ada@example.com',
      createdAt: '2026-01-02T03:04:05.000000+00:00',
      updatedAt: '2026-01-02T03:04:05.000000+00:00',
      expiresAt: '',
      isActive: 'true',
    });
    await key({
      apiKeyId: '9e8d7c6b-2222-4b4b-8d8d-ba9876543210',
      apiKeyName: 'dora-old',
      apiKeyHash: createHash('sha256').update('vams_old', 'utf8').digest('hex'),
      description: 'Retired laptop',
      userId: 'dora',
      createdBy: 'dora',
      createdAt: '2025-01-02T03:04:05.000000+00:00',
      updatedAt: '2025-06-02T03:04:05.000000+00:00',
      expiresAt: '2099-12-31T00:00:00Z',
      isActive: 'false',
    });
  });
  afterAll(() => bot.stop());

  it('filters by User ID and by email prefix, listing each match once', async () => {
    const from = sent.length;
    const reply = await replyTo(bot, 'U0ADA', 'user list car');
    expect(listed(reply)).toEqual(['carol', 'cartman', 'zed']);
    expect(buttonLabels(reply.args.blocks)).toEqual([]);
    const filters = sent
      .slice(from)
      .filter((command) => command.command === 'ListUsersCommand')
      .map((command) => command.input.Filter);
    expect(filters).toEqual(['username ^= "car"', 'email ^= "car"']);
  });

  it('says so when nothing matches', async () => {
    const reply = await replyTo(bot, 'U0ADA', 'user list nobody');
    expect(listed(reply)).toEqual([]);
    expect(textIn(reply.args.blocks)).toContain(
      "No Cognito user's User ID or email starts with `nobody`",
    );
  });

  it.each(['car"', 'car\\'])('refuses the prefix %s before asking Cognito', async (prefix) => {
    const from = sent.length;
    const result = await bot.driver.command('U0ADA', `user list ${prefix}`);
    expect(textIn(result.ack)).toContain('A prefix cannot contain');
    expect(sent.slice(from).filter((command) => command.command === 'ListUsersCommand')).toEqual(
      [],
    );
  });

  it.each(['user list', 'user show dora'])(
    'refuses /vams %s to a VAMS user who is neither admin nor manager',
    async (text) => {
      const reply = await replyTo(bot, 'U0VIC', text);
      expect(textIn(reply.args)).toContain(
        'Only VAMS admins and managers can list and show users.',
      );
      expect(JSON.stringify(reply.args)).not.toContain('dora@example.com');
    },
  );

  it('shows a user in full: attributes, real MFA, roles and API key metadata', async () => {
    const reply = await replyTo(bot, 'U0ADA', 'user show dora');
    expect(checkMessage({ text: String(reply.args.text), blocks: blocksOf(reply) })).toEqual([]);
    const shown = textIn(reply.args.blocks);
    const sub = (await cognitoUser(bot.deployment, 'dora'))?.UserAttributes?.find(
      (attribute) => attribute.Name === 'sub',
    )?.Value;
    expect(sub).toBeDefined();
    expect(shown).toContain(`\`${sub}\``);
    expect(shown).toContain('dora@example.com (verified)');
    expect(shown).toContain('+14155550123 (not verified)');
    expect(shown).toContain('FORCE_CHANGE_PASSWORD');
    expect(shown).toContain('*Enabled*\nyes');
    expect(shown).toContain('*MFA*\non: SMS_MFA (preferred)');
    expect(shown).toContain('`custom:department` = Research &amp; Development');
    expect(shown).toContain('*VAMS roles*\n`reviewer`, `viewer`');
    expect(shown).toContain('*API keys (2)*');
    expect(shown).toContain(
      '`dora-ci` (`5b0c7f4e-1111-4a4a-9c9c-0123456789ab`) · _Pipeline uploads_ · created 2026-01-02 03:04 · never expires · active',
    );
    expect(shown).toMatch(/`dora-old` .* · expires 2099-12-31 00:00 · \*inactive\*/);
    // The user's own buttons, then Rotate and Revoke for the one active key.
    expect(buttonLabels(reply.args.blocks)).toEqual([
      'Disable',
      'Sign out',
      'Update',
      'Reset password',
      'Offboard',
      'Rotate',
      'Revoke',
    ]);
    // Metadata only: the hash (let alone the key) is in no message, view or log.
    const everything = JSON.stringify(bot.slack.calls) + JSON.stringify([...bot.slack.views]);
    expect(everything).not.toContain(keyHash);
    expect(bot.logs.join('\n')).not.toContain(keyHash);
  });

  it('offers Enable instead of Disable for a disabled user', async () => {
    const reply = await replyTo(bot, 'U0ADA', 'user show bob');
    expect(textIn(reply.args.blocks)).toContain('*Enabled*\n*no: disabled*');
    expect(buttonLabels(reply.args.blocks)).toEqual([
      'Enable',
      'Sign out',
      'Update',
      'Reset password',
      'Offboard',
    ]);
  });

  it('lets a manager look but offers no buttons that only admins may use', async () => {
    const list = await replyTo(bot, 'U0MAX', 'user list');
    expect(listed(list)).toEqual(expect.arrayContaining(['carol', 'dora', 'bob']));
    const show = await replyTo(bot, 'U0MAX', 'user show dora');
    expect(textIn(show.args.blocks)).toContain('*MFA*\non: SMS_MFA (preferred)');
    expect(buttonLabels(show.args.blocks)).toEqual([]);
  });

  it('says when there is no such user', async () => {
    const reply = await replyTo(bot, 'U0ADA', 'user show ghost');
    expect(textIn(reply.args)).toContain('There is no Cognito user `ghost`.');
    expect(buttonLabels(reply.args.blocks)).toEqual([]);
  });

  it('opens the same reason dialog as /vams user disable from its Disable button', async () => {
    const shown = await replyTo(bot, 'U0ADA', 'user show dora');
    const before = new Set(bot.slack.views.keys());
    await bot.driver.clickButton(
      'U0ADA',
      { ephemeral: { channel: CHANNEL, blocks: blocksOf(shown) } },
      'Disable',
    );
    const viewId = await eventually(() => {
      const opened = [...bot.slack.views.keys()].find((id) => !before.has(id));
      if (!opened) throw new Error('no dialog opened');
      return opened;
    });
    const view = bot.slack.views.get(viewId)?.view;
    expect(view?.callback_id).toBe(REASON_IDS.userAccessCallbackId);
    expect(JSON.parse(String(view?.private_metadata))).toEqual({
      kind: 'user.disable',
      userId: 'dora',
    });
    expect(textIn(view?.blocks)).toContain('Disable Cognito user `dora`');

    const submitted = await bot.driver.submitView('U0ADA', viewId, { Reason: 'Left the team' });
    expect(submitted.ack).toBeNull();
    const card = await eventually(() => {
      const found = bot.slack
        .messages(APPROVAL_CHANNEL)
        .find((message) => !message.threadTs && message.text?.includes(' for dora by '));
      if (!found) throw new Error('no request card for dora');
      return found;
    });
    const id = /request (R[0-9A-Z]+) /.exec(card.text ?? '')?.[1] ?? '';
    await submittedDm(bot, 'U0ADA', id);
  });

  it.each([
    ['Reset password', 'Reset the password of `bob`'],
    ['Offboard', 'bob'],
  ])('opens the /vams user dialog from its %s button', async (label, said) => {
    const shown = await replyTo(bot, 'U0ADA', 'user show bob');
    const before = new Set(bot.slack.views.keys());
    await bot.driver.clickButton(
      'U0ADA',
      { ephemeral: { channel: CHANNEL, blocks: blocksOf(shown) } },
      label,
    );
    const view = await eventually(() => {
      const opened = [...bot.slack.views.entries()].find(([id]) => !before.has(id));
      if (!opened) throw new Error('no dialog opened');
      return opened[1].view;
    });
    expect(textIn(view.blocks)).toContain(said);
    expect(view.submit).toBeDefined();
  });

  it('refuses its Offboard button to a manager at click time', async () => {
    const shown = await replyTo(bot, 'U0ADA', 'user show bob');
    const before = new Set(bot.slack.views.keys());
    await bot.driver.clickButton(
      'U0MAX',
      { ephemeral: { channel: CHANNEL, blocks: blocksOf(shown) } },
      'Offboard',
    );
    const shownToMax = await eventually(() => {
      const opened = [...bot.slack.views.entries()].find(([id]) => !before.has(id));
      const text = textIn(opened?.[1].view.blocks);
      if (!opened || opened[1].view.submit) throw new Error(`not refused yet: ${text}`);
      return text;
    });
    expect(shownToMax).toContain('Only VAMS admins');
  });

  it('revokes a key from its Revoke button, with the command’s rules', async () => {
    const shown = await replyTo(bot, 'U0ADA', 'user show dora');
    const keyBlocks = blocksOf(shown).filter((block) =>
      JSON.stringify(block).includes('5b0c7f4e-1111-4a4a-9c9c-0123456789ab'),
    );
    const click = await bot.driver.clickButton(
      'U0ADA',
      {
        ephemeral: {
          channel: CHANNEL,
          blocks: keyBlocks.filter((block) => JSON.stringify(block).includes('"actions"')),
        },
      },
      'Revoke',
    );
    const answer = await bot.slack.waitForCall(
      'response_url',
      (call) => call.args.url === click.responseUrl,
    );
    expect(textIn(answer.args)).toContain('dora-ci');
    const item = await apiKeyItem(bot.deployment, '5b0c7f4e-1111-4a4a-9c9c-0123456789ab');
    expect(item?.isActive).toBe('false');
  });

  it('opens the sign-out dialog from its Sign out button', async () => {
    const shown = await replyTo(bot, 'U0ADA', 'user show bob');
    const before = new Set(bot.slack.views.keys());
    await bot.driver.clickButton(
      'U0ADA',
      { ephemeral: { channel: CHANNEL, blocks: blocksOf(shown) } },
      'Sign out',
    );
    const view = await eventually(() => {
      const opened = [...bot.slack.views.entries()].find(([id]) => !before.has(id));
      if (!opened) throw new Error('no dialog opened');
      return opened[1].view;
    });
    expect(JSON.parse(String(view.private_metadata))).toEqual({
      kind: 'user.signout',
      userId: 'bob',
    });
  });

  it('lists the new sub-commands in /vams help', async () => {
    const help = await helpShown(bot, 'U0ADA');
    expect(help).toContain('/vams user list [prefix]');
    expect(help).toContain('/vams user show <userId>');
  });
});
