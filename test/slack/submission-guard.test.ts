import { eventually } from '../support/eventually';
import {
  addPeople,
  clickCard,
  type FiledRequest,
  fileThroughDialog,
  onboardingFields,
  openedDialog,
  openOnboardingModal,
  storedRequest,
} from '../support/onboarding-flow';
import { startTestBot, type TestBot } from '../support/test-bot';

// Slack's client keeps text within an input's max_length, but a scripted client can send more:
// the bot refuses it with a field error, so it is never filed, stored or shown.

describe('dialog text past its max_length, sent by a scripted client', () => {
  let bot: TestBot;

  beforeAll(async () => {
    bot = await startTestBot();
    await bot.deployment.addRole('viewer');
    await addPeople(bot, [
      ['U0ADA', 'ada@example.com', ['admin']],
      ['U0ALAN', 'alan@example.com', ['admin']],
      ['U0BOB', 'bob@example.com', ['viewer'], 'bob'],
    ]);
  });
  afterAll(() => bot.stop());

  /** Whether a text reached Slack in any call, or the bot's table as an open request. */
  async function storedOrShown(text: string): Promise<boolean> {
    const shown = bot.slack.calls.some((call) => JSON.stringify(call.args).includes(text));
    const open = await bot.app.workflow.open();
    return shown || open.some((request) => JSON.stringify(request).includes(text));
  }

  it('a Reason of 1,001 characters gets a field error and files nothing; 1,000 is filed', async () => {
    const tooLong = 'r'.repeat(1001);
    const viewId = await openedDialog(bot, 'U0ADA', 'user signout bob');
    const refused = await bot.driver.submitView(
      'U0ADA',
      viewId,
      {},
      { crafted: { Reason: tooLong } },
    );
    expect(refused.ack).toEqual({
      response_action: 'errors',
      errors: { reason: 'At most 1000 characters (this is 1001).' },
    });
    expect(await storedOrShown(tooLong)).toBe(false);

    const longest = 'a'.repeat(1000);
    const accepted = await bot.driver.submitView(
      'U0ADA',
      viewId,
      {},
      { crafted: { Reason: longest } },
    );
    expect(accepted.ack).toBeNull();
    await eventually(async () => {
      const open = await bot.app.workflow.open();
      if (!open.some((request) => request.reason === longest)) throw new Error('not filed yet');
    });
  });

  it('the key dialog’s Reason is held to its limit too, not only the fields VAMS checks', async () => {
    const viewId = await openedDialog(bot, 'U0BOB', 'key request');
    const expires = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
    const fields = { Name: 'bob-ci', Description: 'CI', Expires: expires };
    const reason = 'k'.repeat(1200);
    const answer = await bot.driver.submitView('U0BOB', viewId, fields, {
      crafted: { Reason: reason },
    });
    expect(answer.ack).toEqual({
      response_action: 'errors',
      errors: { reason: 'At most 1000 characters (this is 1200).' },
    });
    expect(await storedOrShown(reason)).toBe(false);
  });

  it('the onboarding dialog’s User ID and Email are held to their limits', async () => {
    const viewId = await openOnboardingModal(bot, 'U0ADA');
    const fields = onboardingFields({ userId: 'jane' });
    const email = `${'e'.repeat(243)}@example.com`;
    expect(email).toHaveLength(255);
    const answer = await bot.driver.submitView('U0ADA', viewId, fields, {
      crafted: { Email: email },
    });
    expect(answer.ack).toEqual({
      response_action: 'errors',
      errors: { email: 'At most 254 characters (this is 255).' },
    });
    const userId = 'u'.repeat(257);
    const second = await bot.driver.submitView('U0ADA', viewId, fields, {
      crafted: { 'User ID': userId },
    });
    expect(second.ack).toEqual({
      response_action: 'errors',
      errors: { user_id: 'At most 256 characters (this is 257).' },
    });
  });

  it('a rejection Comment past 500 characters gets a field error and rejects nothing', async () => {
    const filed: FiledRequest = await fileThroughDialog(bot, 'U0ADA', 'user signout bob', {
      Reason: 'shared laptop',
    });
    const viewsBefore = new Set(bot.slack.views.keys());
    await clickCard(bot, 'U0ALAN', filed, 'Reject');
    const dialog = await eventually(() => {
      const opened = [...bot.slack.views.keys()].find((id) => !viewsBefore.has(id));
      if (!opened) throw new Error('no reject dialog yet');
      return opened;
    });
    const comment = 'c'.repeat(501);
    const answer = await bot.driver.submitView(
      'U0ALAN',
      dialog,
      {},
      { crafted: { Comment: comment } },
    );
    expect(answer.ack).toEqual({
      response_action: 'errors',
      errors: { comment: 'At most 500 characters (this is 501).' },
    });
    expect((await storedRequest(bot, filed.id)).status).toBe('pending');
    expect(await storedOrShown(comment)).toBe(false);
  });
});
