import { eventually } from '../support/eventually';
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

// What a key request reads on its way. A key dialog checks its name against the names one Scan
// of VAMS's keys table read a little while ago (that table has no index on names); the run that
// creates the key checks the table. Roles read for a submission or a click are not read again.
describe('what a key request reads', () => {
  let bot: TestBot;
  let ahead = 0;
  /** Whose roles the bot read (Queries of VAMS's user-roles table), in order. */
  let rolesRead: string[] = [];

  beforeAll(async () => {
    bot = await startTestBot({
      tuning: { keyNamesFreshMs: FRESH_MS, clock: () => new Date(Date.now() + ahead) },
    });
    await bot.deployment.addRole('viewer');
    await addPeople(bot, [
      ['U0ADA', 'ada@example.com', ['admin']],
      ['U0CAROL', 'carol@example.com', ['viewer']],
    ]);
    bot.app.backend.clients.documents.middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as {
          TableName?: string;
          ExpressionAttributeValues?: Record<string, unknown>;
        };
        if (input.TableName === bot.deployment.tables.userRoles) {
          rolesRead.push(String(input.ExpressionAttributeValues?.[':userId']));
        }
        return next(args);
      },
      { step: 'initialize', name: 'countRoleReads' },
    );
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

  it('a submission reads the requester’s roles once, and the run an approval starts counts the roles its click read', async () => {
    const viewId = await openedDialog(bot, 'U0CAROL', 'key request');
    // The dialog becomes its form once what it shows is read.
    await eventually(() => {
      if (!bot.slack.views.get(viewId)?.view.submit) throw new Error('no form yet');
    });
    const known = new Set((await bot.app.workflow.open()).map((request) => request.id));
    rolesRead = [];
    await bot.driver.submitView('U0CAROL', viewId, keyFields('carol-counted'));
    const filed = await eventually(async () => {
      const request = (await bot.app.workflow.open()).find((open) => !known.has(open.id));
      if (!request?.card) throw new Error('not filed yet');
      return { id: request.id, card: request.card };
    });
    expect(rolesRead).toEqual(['carol@example.com']);

    rolesRead = [];
    expect((await approved(filed as FiledRequest)).status).toBe('succeeded');
    // At the click: the approver as identified, the owner as the approval is weighed; the run
    // counts both without reading them again. Then the owner as the run checks them and as the
    // recipient of the key's value is vetted: steps of their own, which read live.
    expect(rolesRead.sort()).toEqual([
      'ada@example.com',
      'carol@example.com',
      'carol@example.com',
      'carol@example.com',
    ]);
  });

  it('a name taken elsewhere since the last read stops the run, and the dialog knows it once the names are read again', async () => {
    // The names are read now (a refused name files nothing that could be taken for the next).
    await seedApiKey(bot.deployment, 'carol@example.com', 'seen-before');
    ahead += 10 * FRESH_MS;
    expect(JSON.stringify(await submitted('seen-before'))).toContain('already has a key');
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
