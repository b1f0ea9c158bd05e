import { eventually } from '../support/eventually';
import {
  cardMessage,
  clickCard,
  type FiledRequest,
  fileOnboarding,
  requestStore,
  threadReplies,
} from '../support/onboarding-flow';
import { startTestBot, type TestBot } from '../support/test-bot';

// Undecided requests nudge their approvers: a reminder in the card's thread after
// REMIND_AFTER_MINUTES, the escalation past half the TTL, exactly once whichever instance sends it.

const MINUTE = 60_000;
const ENV = {
  REMIND_AFTER_MINUTES: '1',
  APPROVER_MENTION: 'S0APPROVERS,U0BEA',
  ESCALATION_CHANNEL_ID: 'C0ESCALATE',
  REQUEST_TTL_HOURS: '1',
};

describe('approver nudges', () => {
  let first: TestBot;
  let second: TestBot;
  // Both bots' clocks run this far ahead of the real one; their sweeps run every 100 ms.
  let ahead = 0;
  let serial = 0;
  const tuning = { clock: () => new Date(Date.now() + ahead), sweepMs: 100 };
  const onboard = () => {
    serial += 1;
    return fileOnboarding(first, 'U0PAT', { userId: `nudged-${serial}` });
  };
  const reminders = (filed: FiledRequest) =>
    threadReplies(first.slack, filed).filter((reply) => reply.text?.includes(':alarm_clock:'));
  const escalations = (filed: FiledRequest) =>
    first.slack
      .messages('C0ESCALATE')
      .filter((message) => message.text?.includes(`request *${filed.id}*`));
  /** Long enough for every sweep of both bots to have run several times. */
  const sweeps = () => new Promise((resolve) => setTimeout(resolve, 600));

  beforeAll(async () => {
    first = await startTestBot({ env: ENV, tuning });
    second = await startTestBot({
      env: ENV,
      tuning,
      deployment: first.deployment,
      slack: first.slack,
    });
    await first.deployment.addRole('viewer');
    await first.deployment.addVamsUser('bea@example.com', ['admin']);
    await first.deployment.addVamsUser('pat@example.com', ['admin']);
    first.slack.addUser({ id: 'U0BEA', email: 'bea@example.com', emailConfirmed: true });
    first.slack.addUser({ id: 'U0PAT', email: 'pat@example.com', emailConfirmed: true });
  });
  afterEach(() => {
    ahead = 0;
  });
  afterAll(async () => {
    await second?.stop();
    await first?.stop();
  });

  it('mentions the approvers on the new card, and only when it is posted', async () => {
    const filed = await onboard();
    const card = cardMessage(first.slack, filed);
    expect(card.text).toMatch(/^<!subteam\^S0APPROVERS> <@U0BEA> /);
    await clickCard(first, 'U0BEA', filed, 'Approve');
    await sweeps();
    const redraws = first.slack
      .callsTo('chat.update')
      .filter((call) => call.args.ts === filed.card.ts);
    expect(redraws.length).toBeGreaterThan(0);
    for (const redraw of redraws) expect(String(redraw.args.text)).not.toContain('<!subteam^');
  });

  it('reminds once in the thread after a minute, with two instances sweeping', async () => {
    const filed = await onboard();
    await sweeps();
    expect(reminders(filed)).toHaveLength(0);
    ahead = MINUTE + 1_000;
    await sweeps();
    const sent = reminders(filed);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.text).toContain('<!subteam^S0APPROVERS> <@U0BEA>');
    expect(sent[0]?.text).toContain(`request *${filed.id}*`);
    expect(sent[0]?.text).toContain('Reminder 1');
    const events = await requestStore(first).events(filed.id);
    expect(events.filter((event) => event.type === 'reminded')).toHaveLength(1);
    // The next one is due two minutes after the first, not before.
    ahead = 2 * MINUTE + 30_000;
    await sweeps();
    expect(reminders(filed)).toHaveLength(1);
    ahead = 3 * MINUTE + 1_000;
    await sweeps();
    expect(reminders(filed)).toHaveLength(2);
  });

  it('sends no reminder after a decision', async () => {
    const filed = await onboard();
    await clickCard(first, 'U0BEA', filed, 'Approve');
    ahead = 10 * MINUTE;
    await sweeps();
    expect(reminders(filed)).toHaveLength(0);
  });

  it('escalates once past half the TTL, with a link to the card', async () => {
    const filed = await onboard();
    ahead = 29 * MINUTE;
    await sweeps();
    expect(escalations(filed)).toHaveLength(0);
    ahead = 31 * MINUTE;
    // Under load a sweep may take longer than the pause: wait for it, then check it stays one.
    await eventually(() => expect(escalations(filed).length).toBeGreaterThan(0), 5_000);
    await sweeps();
    const raised = escalations(filed);
    expect(raised).toHaveLength(1);
    expect(raised[0]?.text).toMatch(/<https?:[^|>]+\|Open the card>/);
    ahead = 40 * MINUTE;
    await sweeps();
    expect(escalations(filed)).toHaveLength(1);
  });
});
