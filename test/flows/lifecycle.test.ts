import {
  answerTo,
  buttonLabels,
  cardMessage,
  clickCard,
  cognitoUser,
  dmsTo,
  type FiledRequest,
  fileOnboarding,
  listEntry,
  listedIds,
  requestStore,
  requestsList,
  roleRows,
  storedRequest,
  textIn,
} from '../support/onboarding-flow';
import { startTestBot, type TestBot } from '../support/test-bot';

// A request that nobody approves: it expires, is rejected or is cancelled, and then can never run.

const HOUR = 3_600_000;

describe('requests that end without running', () => {
  let bot: TestBot;
  // The bot's clock runs this far ahead of the real one.
  let ahead = 0;
  let serial = 0;
  const onboard = (requester: string) => {
    serial += 1;
    return fileOnboarding(bot, requester, { userId: `ended-${serial}` });
  };

  /** Nothing of the request's work happened: no approval, no execution, no user, no roles. */
  async function expectNothingRan(filed: FiledRequest): Promise<void> {
    expect(await cognitoUser(bot.deployment, filed.userId)).toBeUndefined();
    expect(await roleRows(bot.deployment, filed.userId)).toEqual([]);
    const events = await requestStore(bot).events(filed.id);
    expect(events.map((event) => event.type)).not.toContain('approved');
    expect(events.map((event) => event.type)).not.toContain('execution-started');
  }

  beforeAll(async () => {
    bot = await startTestBot({
      env: { MANAGER_ROLES: 'manager', REQUEST_TTL_HOURS: '24' },
      // No sweep during the file: expiry happens when a test asks for it.
      tuning: { clock: () => new Date(Date.now() + ahead), sweepMs: 24 * HOUR },
    });
    await bot.deployment.addRole('manager');
    await bot.deployment.addRole('viewer');
    await bot.deployment.addVamsUser('ada@example.com', ['admin']);
    await bot.deployment.addVamsUser('bea@example.com', ['admin']);
    await bot.deployment.addVamsUser('max@example.com', ['manager']);
    await bot.deployment.addVamsUser('vic@example.com', ['viewer']);
    bot.slack.addUser({ id: 'U0ADA', email: 'ada@example.com', emailConfirmed: true });
    bot.slack.addUser({ id: 'U0BEA', email: 'bea@example.com', emailConfirmed: true });
    bot.slack.addUser({ id: 'U0MAX', email: 'max@example.com', emailConfirmed: true });
    bot.slack.addUser({ id: 'U0VIC', email: 'vic@example.com', emailConfirmed: true });
  });
  afterEach(() => {
    ahead = 0;
  });
  afterAll(() => bot.stop());

  describe('expiry', () => {
    it('refuses an approval after REQUEST_TTL_HOURS, even before the sweep', async () => {
      const filed = await onboard('U0MAX');
      const before = await storedRequest(bot, filed.id);
      ahead = 25 * HOUR;
      const answer = await answerTo(bot.slack, await clickCard(bot, 'U0ADA', filed, 'Approve'));
      expect(answer.args.response_type).toBe('ephemeral');
      expect(String(answer.args.text)).toBe(
        `${filed.id} has expired; ask for it again if it is still needed.`,
      );
      const after = await storedRequest(bot, filed.id);
      expect([after.status, after.approvals, after.version]).toEqual([
        'pending',
        before.approvals,
        before.version,
      ]);
      await expectNothingRan(filed);
    });

    it('marks due requests expired: the card says so and loses its buttons', async () => {
      const due = await onboard('U0MAX');
      ahead = 23 * HOUR;
      expect(await bot.app.workflow.expireDue()).toBe(0);
      expect((await storedRequest(bot, due.id)).status).toBe('pending');

      ahead = 24 * HOUR + 60_000;
      expect(await bot.app.workflow.expireDue()).toBeGreaterThanOrEqual(1);
      const expired = await storedRequest(bot, due.id);
      expect(expired.status).toBe('expired');
      const card = cardMessage(bot.slack, due);
      expect(buttonLabels(card.blocks)).toEqual([]);
      expect(textIn(card.blocks)).toContain('Expired — nobody decided in time');
      await bot.slack.waitForCall('chat.postMessage', (call) =>
        String(call.args.text).includes(`*${due.id}*: expired`),
      );
      expect(dmsTo(bot.slack, 'U0MAX').some((text) => text.includes(`*${due.id}*: expired`))).toBe(
        true,
      );
      expect((await requestStore(bot).events(due.id)).map((event) => event.type)).toContain(
        'expired',
      );
      expect((await bot.app.workflow.open()).map((request) => request.id)).not.toContain(due.id);
    });
  });

  describe('rejection', () => {
    let filed: FiledRequest;
    let staleList: unknown[];

    beforeAll(async () => {
      filed = await onboard('U0MAX');
      // Ada keeps her `/vams requests` list open while Bea rejects.
      staleList = await requestsList(bot, 'U0ADA');
      const viewsBefore = new Set(bot.slack.views.keys());
      await clickCard(bot, 'U0BEA', filed, 'Reject');
      await bot.slack.waitForCall('views.open', (call) =>
        JSON.stringify(call.args.view ?? '').includes(filed.id),
      );
      const dialog = [...bot.slack.views.keys()].find((id) => !viewsBefore.has(id)) ?? '';
      const submitted = await bot.driver.submitView('U0BEA', dialog, {
        Comment: 'Use the contractor pool instead',
      });
      expect(submitted.ack).toBeNull();
      await bot.slack.waitForCall('chat.postMessage', (call) =>
        String(call.args.text).includes(`*${filed.id}*: rejected`),
      );
    });

    it('asks for an optional comment before rejecting', () => {
      const open = bot.slack
        .callsTo('views.open')
        .find((call) => JSON.stringify(call.args.view ?? '').includes(filed.id));
      expect(textIn(open?.args.view)).toContain('Comment');
      expect(JSON.stringify(open?.args.view)).toContain('"optional":true');
    });

    it('records who rejected and why', async () => {
      const request = await storedRequest(bot, filed.id);
      expect(request.status).toBe('rejected');
      expect(request.decision).toMatchObject({
        by: { slackUserId: 'U0BEA', vamsUserId: 'bea@example.com' },
        comment: 'Use the contractor pool instead',
      });
      const rejected = (await requestStore(bot).events(filed.id)).find(
        (event) => event.type === 'rejected',
      );
      expect(rejected).toMatchObject({
        actor: 'bea@example.com',
        detail: { comment: 'Use the contractor pool instead' },
      });
    });

    it('shows the outcome and who decided on the card, without buttons', () => {
      const card = cardMessage(bot.slack, filed);
      expect(buttonLabels(card.blocks)).toEqual([]);
      expect(textIn(card.blocks)).toContain(
        'Rejected by <@U0BEA>: “Use the contractor pool instead”',
      );
    });

    it('tells the requester by DM', () => {
      const told = dmsTo(bot.slack, 'U0MAX').find((text) =>
        text.includes(`*${filed.id}*: rejected`),
      );
      expect(told).toContain('rejected by bea@example.com');
    });

    it('can no longer be approved from a list someone still has open', async () => {
      const click = await bot.driver.clickButton(
        'U0ADA',
        listEntry(staleList, filed.id),
        'Approve',
      );
      const answer = await answerTo(bot.slack, click);
      expect(answer.args.response_type).toBe('ephemeral');
      expect(String(answer.args.text)).toBe(
        `${filed.id} is already rejected; nothing was changed.`,
      );
      expect((await storedRequest(bot, filed.id)).status).toBe('rejected');
      await expectNothingRan(filed);
    });
  });

  describe('cancellation', () => {
    it("lets the requester cancel from the card; it can't be approved afterwards", async () => {
      const filed = await onboard('U0MAX');
      const staleList = await requestsList(bot, 'U0ADA');
      const cancel = await clickCard(bot, 'U0MAX', filed, 'Cancel request');
      expect(cancel.status).toBe(200);
      await bot.slack.waitForCall(
        'chat.update',
        (call) => call.args.ts === filed.card.ts && String(call.args.text).endsWith('cancelled'),
      );
      const request = await storedRequest(bot, filed.id);
      expect(request.status).toBe('cancelled');
      expect(request.decision?.by.slackUserId).toBe('U0MAX');
      const card = cardMessage(bot.slack, filed);
      expect(buttonLabels(card.blocks)).toEqual([]);
      expect(textIn(card.blocks)).toContain('Cancelled by <@U0MAX>');

      const approve = await bot.driver.clickButton(
        'U0ADA',
        listEntry(staleList, filed.id),
        'Approve',
      );
      const answer = await answerTo(bot.slack, approve);
      expect(String(answer.args.text)).toBe(
        `${filed.id} is already cancelled; nothing was changed.`,
      );
      await expectNothingRan(filed);
    });

    it('lets the requester cancel from /vams requests', async () => {
      const filed = await onboard('U0MAX');
      const list = await requestsList(bot, 'U0MAX');
      expect(listedIds(list).own).toContain(filed.id);
      await bot.driver.clickButton('U0MAX', listEntry(list, filed.id), 'Cancel request');
      await bot.slack.waitForCall(
        'chat.update',
        (call) => call.args.ts === filed.card.ts && String(call.args.text).endsWith('cancelled'),
      );
      expect((await storedRequest(bot, filed.id)).status).toBe('cancelled');
      expect(
        (await requestStore(bot).events(filed.id)).find((event) => event.type === 'cancelled')
          ?.actor,
      ).toBe('max@example.com');
    });

    it("refuses someone else's cancel click and changes nothing", async () => {
      const filed = await onboard('U0MAX');
      const before = await storedRequest(bot, filed.id);
      const answer = await answerTo(
        bot.slack,
        await clickCard(bot, 'U0ADA', filed, 'Cancel request'),
      );
      expect(answer.args.response_type).toBe('ephemeral');
      expect(String(answer.args.text)).toBe(
        `Only <@U0MAX>, who asked for ${filed.id}, can cancel it.`,
      );
      const after = await storedRequest(bot, filed.id);
      expect([after.status, after.version, after.decision]).toEqual([
        'pending',
        before.version,
        undefined,
      ]);
      const refused = (await requestStore(bot).events(filed.id)).find(
        (event) => event.type === 'click-refused',
      );
      expect(refused?.detail).toEqual({
        action: 'cancel',
        slackUserId: 'U0ADA',
        reason: 'not-the-requester',
      });
      expect(buttonLabels(cardMessage(bot.slack, filed).blocks)).toEqual([
        'Approve',
        'Reject',
        'Cancel request',
      ]);
    });
  });

  describe('/vams requests', () => {
    let maxes: FiledRequest;
    let adas: FiledRequest;
    let rejected: FiledRequest;

    beforeAll(async () => {
      maxes = await onboard('U0MAX');
      adas = await onboard('U0ADA');
      rejected = await onboard('U0MAX');
      await clickCard(bot, 'U0BEA', rejected, 'Reject');
      await bot.slack.waitForCall('views.open', (call) =>
        JSON.stringify(call.args.view ?? '').includes(rejected.id),
      );
      const dialog = [...bot.slack.views.entries()].find(
        ([, stored]) => stored.view.private_metadata === rejected.id,
      )?.[0];
      await bot.driver.submitView('U0BEA', dialog ?? '', {});
      await bot.slack.waitForCall('chat.postMessage', (call) =>
        String(call.args.text).includes(`*${rejected.id}*: rejected`),
      );
    });

    it('shows an admin what they can decide, with buttons, and their own open requests', async () => {
      const list = await requestsList(bot, 'U0ADA');
      const listed = listedIds(list);
      expect(listed.decide).toContain(maxes.id);
      expect(listed.decide).not.toContain(adas.id);
      expect(listed.own).toEqual([adas.id]);
      expect(buttonLabels(listEntry(list, maxes.id).ephemeral.blocks)).toEqual([
        'Approve',
        'Reject',
      ]);
      expect(buttonLabels(listEntry(list, adas.id).ephemeral.blocks)).toEqual(['Cancel request']);
      expect([...listed.decide, ...listed.own]).not.toContain(rejected.id);
    });

    it('shows someone who may decide nothing and asked for nothing an empty list', async () => {
      const list = await requestsList(bot, 'U0VIC');
      expect(listedIds(list)).toEqual({ decide: [], own: [] });
      expect(textIn(list)).toContain('Nothing is waiting for you.');
      expect(textIn(list)).toContain('You have no open requests.');
    });

    it("shows a manager others' onboarding requests to decide, and not their own", async () => {
      const listed = listedIds(await requestsList(bot, 'U0MAX'));
      expect(listed.decide).toContain(adas.id);
      expect(listed.decide).not.toContain(maxes.id);
      expect(listed.own).toContain(maxes.id);
      expect(listed.own).not.toContain(rejected.id);
    });

    it('lets an admin approve from the list', async () => {
      const list = await requestsList(bot, 'U0BEA');
      await bot.driver.clickButton('U0BEA', listEntry(list, maxes.id), 'Approve');
      await bot.slack.waitForCall('chat.postMessage', (call) =>
        String(call.args.text).includes(`*${maxes.id}*: VAMS user`),
      );
      expect((await storedRequest(bot, maxes.id)).status).toBe('succeeded');
    });
  });
});
