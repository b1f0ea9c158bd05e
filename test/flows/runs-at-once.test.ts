import {
  addPeople,
  clickCard,
  fileThroughDialog,
  finished,
  keyFields,
  requestStore,
} from '../support/onboarding-flow';
import { startTestBot, type TestBot } from '../support/test-bot';

// A process runs a bounded number of approved requests at once; the others wait their turn,
// stored as approved, so that acknowledging Slack is not queued behind executions.
describe('runs at once', () => {
  let bot: TestBot;

  beforeAll(async () => {
    bot = await startTestBot({ tuning: { runsAtOnce: 1 } });
    await bot.deployment.addRole('viewer');
    await addPeople(bot, [
      ['U0ADA', 'ada@example.com', ['admin']],
      ['U0CAROL', 'carol@example.com', ['viewer']],
      ['U0DAN', 'dan@example.com', ['viewer']],
    ]);
  }, 60_000);
  afterAll(() => bot.stop());

  it('requests approved together all run, one after the other when one may run at a time', async () => {
    const first = await fileThroughDialog(bot, 'U0CAROL', 'key request', keyFields('carol-one'));
    const second = await fileThroughDialog(bot, 'U0DAN', 'key request', keyFields('dan-one'));
    await Promise.all([
      clickCard(bot, 'U0ADA', first, 'Approve'),
      clickCard(bot, 'U0ADA', second, 'Approve'),
    ]);
    const [one, two] = await Promise.all([finished(bot, first), finished(bot, second)]);
    expect([one.status, two.status]).toEqual(['succeeded', 'succeeded']);
    // Whichever ran second was taken up (its execution started) only after the other ended.
    const span = async (id: string) => {
      const events = await requestStore(bot).events(id);
      const at = (type: string) => events.find((event) => event.type === type)?.at ?? '';
      return { started: at('execution-started'), ended: at('succeeded') };
    };
    const [earlier, later] = [await span(first.id), await span(second.id)].sort((a, b) =>
      a.started.localeCompare(b.started),
    );
    expect(earlier?.ended).not.toBe('');
    expect(later?.started.localeCompare(earlier?.ended ?? '')).toBeGreaterThanOrEqual(0);
  });
});
