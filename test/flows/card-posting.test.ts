import type { Identity } from '../../src/auth/identity';
import { eventually } from '../support/eventually';
import {
  buttonLabels,
  dmsTo,
  listedIds,
  logEntries,
  onboardingFields,
  openOnboardingModal,
  requestStore,
  requestsList,
  storedRequest,
} from '../support/onboarding-flow';
import { APPROVAL_CHANNEL, startTestBot, type TestBot } from '../support/test-bot';

const admin: Identity = {
  mapped: true,
  slackUserId: 'U0ADA',
  vamsUserId: 'ada@example.com',
  source: 'email-is-user-id',
  email: 'ada@example.com',
  roles: ['admin'],
};

describe('the card is the only place a request is decided', () => {
  let bot: TestBot;
  beforeAll(async () => {
    bot = await startTestBot({ env: { MANAGER_ROLES: 'manager' } });
    await bot.deployment.addRole('manager');
    await bot.deployment.addRole('viewer');
    await bot.deployment.addVamsUser('ada@example.com', ['admin']);
    await bot.deployment.addVamsUser('max@example.com', ['manager']);
    bot.slack.addUser({ id: 'U0ADA', email: 'ada@example.com', emailConfirmed: true });
    bot.slack.addUser({ id: 'U0MAX', email: 'max@example.com', emailConfirmed: true });
  });
  afterAll(() => bot.stop());

  it('a card that cannot be posted ends the request as failed, and the requester is told', async () => {
    bot.slack.failNext('chat.postMessage', 'channel_not_found');
    const viewId = await openOnboardingModal(bot, 'U0MAX');
    await bot.driver.submitView('U0MAX', viewId, onboardingFields({ userId: 'no-card' }));
    const told = await eventually(() => {
      const dm = dmsTo(bot.slack, 'U0MAX').find((text) => text.includes('could not be filed'));
      if (!dm) throw new Error('the requester was not told');
      return dm;
    });
    expect(told).toContain('`no-card`');
    const open = await bot.app.workflow.open();
    expect(open.filter((request) => request.subject === 'no-card')).toEqual([]);
    // Ended as failed, not left behind or removed: the bot logged which requests it created.
    const created = logEntries(bot)
      .filter((entry) => entry.msg === 'request created')
      .map((entry) => String(entry.requestId));
    const stored = await Promise.all(created.map((id) => storedRequest(bot, id)));
    expect(stored.find((request) => request.subject === 'no-card')?.status).toBe('failed');
    expect(listedIds(await requestsList(bot, 'U0ADA')).decide).toEqual([]);
  });

  it('an approval that arrives before the card is placed is refused, and the card then works', async () => {
    const posting = bot.slack.hold('chat.postMessage', (args) => args.channel === APPROVAL_CHANNEL);
    const viewId = await openOnboardingModal(bot, 'U0MAX');
    await bot.driver.submitView('U0MAX', viewId, onboardingFields({ userId: 'early-click' }));
    await posting.arrived;
    const [filed] = (await bot.app.workflow.open()).filter(
      (request) => request.subject === 'early-click',
    );
    if (!filed) throw new Error('the request was not stored');
    const early = await bot.app.workflow.approve(filed.id, admin);
    expect(early).toMatchObject({ outcome: 'refused', refusal: { code: 'not-posted-yet' } });
    posting.release();
    const placed = await eventually(async () => {
      const request = await requestStore(bot).get(filed.id);
      if (!request?.card) throw new Error('no card yet');
      return request;
    });
    expect(placed.approvals).toEqual([]);
    // The card, posted late, offers the decision buttons.
    const card = placed.card;
    if (!card) throw new Error('no card');
    const posted = bot.slack.messages(card.channel).find((message) => message.ts === card.ts);
    expect(buttonLabels(posted?.blocks)).toEqual(['Approve', 'Reject', 'Cancel request']);
    const approved = await bot.app.workflow.approve(filed.id, admin);
    expect(approved).toMatchObject({ outcome: 'done', request: { status: 'succeeded' } });
  });
});
