import {
  addPeople,
  clickCard,
  type FiledRequest,
  fileThroughDialog,
  finished,
  keyFields,
  openedDialog,
  seedApiKey,
  textIn,
  threadReplies,
} from '../support/onboarding-flow';
import { startTestBot, type TestBot } from '../support/test-bot';

const FRESH_MS = 30_000;

// A key dialog checks its name against the names one Scan of VAMS's keys table read a little
// while ago (that table has no index on names); the run that creates the key checks the table.
describe('API key names', () => {
  let bot: TestBot;
  let ahead = 0;

  beforeAll(async () => {
    bot = await startTestBot({
      tuning: { keyNamesFreshMs: FRESH_MS, clock: () => new Date(Date.now() + ahead) },
    });
    await bot.deployment.addRole('viewer');
    await addPeople(bot, [
      ['U0ADA', 'ada@example.com', ['admin']],
      ['U0CAROL', 'carol@example.com', ['viewer']],
    ]);
  }, 60_000);
  afterAll(() => bot.stop());

  async function submitted(name: string) {
    const viewId = await openedDialog(bot, 'U0CAROL', 'key request');
    return (await bot.driver.submitView('U0CAROL', viewId, keyFields(name))).ack;
  }

  async function approved(filed: FiledRequest) {
    await clickCard(bot, 'U0ADA', filed, 'Approve');
    return finished(bot, filed);
  }

  it('refuses at once a name the bot itself just gave a key', async () => {
    const filed = await fileThroughDialog(bot, 'U0CAROL', 'key request', keyFields('carol-made'));
    expect((await approved(filed)).status).toBe('succeeded');
    expect(JSON.stringify(await submitted('carol-made'))).toContain(
      'VAMS already has a key with this name',
    );
  });

  it('a name taken elsewhere since the last read stops the run, and the dialog knows it once the names are read again', async () => {
    await submitted('warm-up-name');
    await seedApiKey(bot.deployment, 'carol@example.com', 'made-in-vams');

    // Within the fresh window the dialog cannot know; the run checks the table and stops.
    const filed = await fileThroughDialog(bot, 'U0CAROL', 'key request', keyFields('made-in-vams'));
    const done = await approved(filed);
    expect(done.status).toBe('failed');
    expect(textIn(threadReplies(bot.slack, filed).map((reply) => reply.blocks))).toContain(
      'another API key took the name "made-in-vams"',
    );

    // Long past the window, the dialog reads the names again before it answers.
    ahead += 10 * FRESH_MS;
    expect(JSON.stringify(await submitted('made-in-vams'))).toContain(
      'VAMS already has a key with this name',
    );
  });
});
