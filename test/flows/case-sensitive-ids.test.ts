import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { seedUserRole } from '../../src/backend/provision';
import { eventually } from '../support/eventually';
import {
  addPeople,
  cardMessage,
  dmsTo,
  fileThroughDialog,
  openedDialog,
  requestStore,
  seedApiKey,
  textIn,
} from '../support/onboarding-flow';
import { APPROVAL_CHANNEL, startTestBot, type TestBot } from '../support/test-bot';

// VAMS compares user IDs exactly: `Pete@Example.com` and `pete@example.com` are two people, and
// ownership, self-approval and "is this about you" must tell them apart.

/** Role rows without a Cognito user (the test pool, like VAMS's, folds username case). */
async function addRoleOnlyUser(bot: TestBot, userId: string, roles: string[]): Promise<void> {
  for (const role of roles)
    await seedUserRole(
      bot.deployment.clients.documents,
      bot.deployment.tables.userRoles,
      userId,
      role,
    );
}

async function replyTo(bot: TestBot, slackUserId: string, text: string): Promise<string> {
  const sent = await bot.driver.command(slackUserId, text);
  expect(sent.status).toBe(200);
  const reply = await bot.slack.waitForCall(
    'response_url',
    (call) => call.args.url === sent.responseUrl,
  );
  return textIn(reply.args.blocks ?? reply.args.text);
}

describe('VAMS user IDs that differ only in case', () => {
  let bot: TestBot;

  beforeAll(async () => {
    bot = await startTestBot();
    await bot.deployment.addRole('viewer');
    // A viewer signs in as `pete@example.com`, an admin as `ann@example.com`; `Pete@Example.com`
    // is an admin identity and `Ann@Example.com` a viewer one.
    await addPeople(bot, [
      ['U0PETE', 'pete@example.com', ['viewer']],
      ['U0ANN', 'ann@example.com', ['admin']],
    ]);
    await addRoleOnlyUser(bot, 'Pete@Example.com', ['admin']);
    await addRoleOnlyUser(bot, 'Ann@Example.com', ['viewer']);
  });
  afterAll(() => bot.stop());

  it('a viewer cannot revoke or rotate the key of an admin whose ID differs only in case', async () => {
    const adminKey = await seedApiKey(bot.deployment, 'Pete@Example.com', 'pete-admin-ci');
    expect(await replyTo(bot, 'U0PETE', `key revoke ${adminKey}`)).toContain(
      'is not yours; you can revoke your own keys only',
    );
    // Rotation opens its dialog at once; the check then replaces it with the refusal.
    const rotation = await openedDialog(bot, 'U0PETE', `key rotate ${adminKey}`);
    await eventually(() =>
      expect(textIn(bot.slack.views.get(rotation)?.view.blocks)).toContain(
        'is not yours; you can rotate your own keys only',
      ),
    );
    expect(await replyTo(bot, 'U0PETE', 'key list Pete@Example.com')).toContain(
      'You can list your own keys only',
    );
    const key = await bot.deployment.clients.documents.send(
      new GetCommand({ TableName: bot.deployment.tables.apiKeys, Key: { apiKeyId: adminKey } }),
    );
    expect(key.Item?.isActive).toBe('true');
    const cards = bot.slack.messages(APPROVAL_CHANNEL).map((message) => textIn(message.blocks));
    expect(cards.some((card) => card.includes(adminKey))).toBe(false);
    expect(dmsTo(bot.slack, 'U0PETE').join('\n')).not.toContain('vams_');
  });

  it('a card whose subject differs from its requester only in case says so', async () => {
    const viewerKey = await seedApiKey(bot.deployment, 'Ann@Example.com', 'ann-viewer-ci');
    const filed = await fileThroughDialog(bot, 'U0ANN', `key rotate ${viewerKey}`, {
      Reason: 'Rotating the CI identity',
    });
    const card = textIn(cardMessage(bot.slack, filed).blocks);
    expect(card).toContain(
      '`Ann@Example.com` differs from the requester `ann@example.com` only in case: they are different VAMS users',
    );
    const request = await requestStore(bot).get(filed.id);
    expect(request?.subject).toBe('Ann@Example.com');
    expect(request?.requester.vamsUserId).toBe('ann@example.com');
  });

  it('does not guess between two VAMS users when a Slack email matches both', async () => {
    bot.slack.addUser({ id: 'U0PETE2', email: 'Pete@Example.com', emailConfirmed: true });
    const reply = await replyTo(bot, 'U0PETE2', 'key list');
    expect(reply).toContain('matches more than one VAMS user');
    expect(reply).toContain('Pete@Example.com');
  });
});
