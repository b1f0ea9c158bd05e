import { z } from 'zod';
import { USER_CREATE_IDS } from '../../src/views/user-create.view';
import { eventually } from '../support/eventually';
import {
  cardFor,
  type Onboardee,
  onboardingFields,
  openOnboardingModal,
  submittedDm,
} from '../support/onboarding-flow';
import type { FieldValue } from '../support/slack-driver';
import { APPROVAL_CHANNEL, startTestBot, type TestBot } from '../support/test-bot';

// The onboarding modal: bad input gets field errors in the ack (keyed by the input's block id)
// and files nothing.

const ids = USER_CREATE_IDS;
const fieldErrors = z.object({
  response_action: z.literal('errors'),
  errors: z.record(z.string(), z.string()),
});

describe('the onboarding modal, submitted with bad input', () => {
  let bot: TestBot;

  beforeAll(async () => {
    bot = await startTestBot();
    await bot.deployment.addRole('viewer');
    await bot.deployment.addVamsUser('max@example.com', ['viewer']);
    await bot.deployment.addCognitoUser('taken', 'taken@example.com');
    bot.slack.addUser({ id: 'U0MAX', email: 'max@example.com', emailConfirmed: true });
  });
  afterAll(() => bot.stop());

  async function submit(who: Onboardee, overrides: Record<string, FieldValue> = {}) {
    const viewId = await openOnboardingModal(bot, 'U0MAX');
    const result = await bot.driver.submitView('U0MAX', viewId, {
      ...onboardingFields(who),
      ...overrides,
    });
    return { viewId, result };
  }

  it.each<[string, Onboardee, Record<string, FieldValue>, string[], string]>([
    ['a User ID with a space', { userId: 'jane doe' }, {}, [ids.userId.block], 'no spaces'],
    ['a User ID shorter than 3', { userId: 'jd' }, {}, [ids.userId.block], '3–256 characters'],
    ['the reserved User ID global', { userId: 'global' }, {}, [ids.userId.block], 'reserved'],
    [
      'an invalid email',
      { userId: 'bad-email', email: 'jane..doe@example.com' },
      {},
      [ids.email.block],
      'valid email',
    ],
    [
      'a phone number without +',
      { userId: 'bad-phone', phone: '4155550123' },
      {},
      [ids.phone.block],
      'international format',
    ],
    [
      'a phone number with a leading 0',
      { userId: 'zero-phone', phone: '+04155550123' },
      {},
      [ids.phone.block],
      'up to 15 digits',
    ],
    [
      'a reason of only spaces',
      { userId: 'no-reason' },
      { Reason: '   ' },
      [ids.reason.block],
      'Say why',
    ],
    [
      'a User ID already in the pool',
      { userId: 'taken' },
      {},
      [ids.userId.block],
      'already exists',
    ],
    [
      'a role missing from the roles table',
      { userId: 'ghost-role', roles: ['viewer', 'ghost'] },
      {},
      [ids.roles.block],
      'Not in the VAMS roles table: ghost',
    ],
    [
      'several bad fields at once',
      { userId: 'global', phone: '12' },
      { Reason: ' ' },
      [ids.userId.block, ids.phone.block, ids.reason.block],
      '',
    ],
  ])(
    'refuses %s with field errors and files nothing',
    async (_case, who, overrides, blocks, says) => {
      const postsBefore = bot.slack.callsTo('chat.postMessage').length;
      const { viewId, result } = await submit(who, overrides);

      expect(result.status).toBe(200);
      const { errors } = fieldErrors.parse(result.ack);
      expect(Object.keys(errors).sort()).toEqual([...blocks].sort());
      expect(Object.values(errors).join(' ')).toContain(says);
      // Slack keeps the modal open with the errors shown.
      expect(bot.slack.views.has(viewId)).toBe(true);
      const open = await bot.app.workflow.open();
      expect(open.filter((request) => request.subject === who.userId.trim())).toEqual([]);
      expect(cardFor(bot.slack, who.userId)).toBeUndefined();
      expect(bot.slack.callsTo('chat.postMessage').slice(postsBefore)).toEqual([]);
    },
  );

  it('files the same form once it is corrected, and nothing else was ever filed', async () => {
    const { viewId, result } = await submit({ userId: 'global', email: 'global@example.com' });
    expect(result.ack).toMatchObject({ response_action: 'errors' });
    // The person fixes the one field; everything else is submitted as before.
    const corrected = await bot.driver.submitView(
      'U0MAX',
      viewId,
      onboardingFields({ userId: 'jane.doe', email: 'global@example.com' }),
    );
    expect(corrected.ack).toBeNull();
    const open = await eventually(async () => {
      const filed = await bot.app.workflow.open();
      expect(filed.map((request) => request.subject)).toEqual(['jane.doe']);
      return filed;
    });
    await submittedDm(bot, 'U0MAX', open[0]?.id ?? '');
    expect(cardFor(bot.slack, 'jane.doe')).toBeDefined();
    const cards = bot.slack
      .callsTo('chat.postMessage')
      .filter((call) => call.args.channel === APPROVAL_CHANNEL);
    expect(cards).toHaveLength(1);
  });
});

describe('the Roles picker of the onboarding modal', () => {
  let bot: TestBot;
  let viewId: string;

  beforeAll(async () => {
    bot = await startTestBot();
    await bot.deployment.addRole('viewer');
    for (const name of ['max', 'gus', 'ext']) {
      await bot.deployment.addVamsUser(`${name}@example.com`, ['viewer']);
    }
    bot.slack.addUser({ id: 'U0MAX', email: 'max@example.com', emailConfirmed: true });
    bot.slack.addUser({
      id: 'U0GUS',
      email: 'gus@example.com',
      emailConfirmed: true,
      isRestricted: true,
    });
    bot.slack.addUser({ id: 'U0NOBODY', email: 'nobody@example.com', emailConfirmed: true });
    bot.slack.addUser({
      id: 'U0EXT',
      email: 'ext@example.com',
      emailConfirmed: true,
      teamId: 'T0ELSEWHERE',
    });
    viewId = await openOnboardingModal(bot, 'U0MAX');
  });
  afterAll(() => bot.stop());

  it('offers the role names to someone who may file an onboarding request', async () => {
    const answer = await bot.driver.suggest('U0MAX', viewId, 'Roles', '');
    expect(answer.status).toBe(200);
    expect(answer.options).toEqual(['admin', 'viewer']);
  });

  // The options request is signed by Slack but sent by whoever types: a guest, someone unmapped
  // or someone from another workspace learns no role names, even with the modal's view id.
  it.each([
    ['a guest', 'U0GUS'],
    ['someone not mapped to a VAMS user', 'U0NOBODY'],
    ['someone from another workspace', 'U0EXT'],
  ])('offers %s no options at all', async (_who, slackUserId) => {
    const answer = await bot.driver.suggest(slackUserId, viewId, 'Roles', '');
    expect(answer.status).toBe(200);
    expect(answer.options).toEqual([]);
  });
});
