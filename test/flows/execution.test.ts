import { loseAnswers } from '../support/lost-answers';
import {
  addPeople,
  buttonLabels,
  cardMessage,
  clickCard,
  dmsTo,
  type FiledRequest,
  fileThroughDialog,
  finished,
  requestStore,
  textIn,
  threadReplies,
} from '../support/onboarding-flow';
import { startTestBot, type TestBot } from '../support/test-bot';
import { vamsAuthorizes } from '../support/vams-authorizer';

const KEY_VALUE = /vams_[A-Za-z0-9_-]{64}/g;

function keyFields(name: string) {
  const expires = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
  return {
    Name: name,
    Description: `uploads ${name}`,
    Expires: expires,
    Reason: 'Nightly uploads',
  };
}

function keyValuesIn(texts: string[]): string[] {
  return texts.flatMap((text) => text.match(KEY_VALUE) ?? []);
}

function resultsIn(bot: TestBot, filed: FiledRequest): string[] {
  return threadReplies(bot.slack, filed)
    .map((message) => textIn(message.blocks))
    .filter((text) => text.startsWith(':white_check_mark:') || text.startsWith(':x:'));
}

async function seed(bot: TestBot): Promise<void> {
  await bot.deployment.addRole('viewer');
  await addPeople(bot, [
    ['U0ADA', 'ada@example.com', ['admin']],
    ['U0BOB', 'bob@example.com', ['viewer']],
  ]);
}

/** A bot of its own for the enclosing `describe`, with Ada (admin) and Bob (viewer). */
function seededBot(): () => TestBot {
  let bot: TestBot | undefined;
  beforeAll(async () => {
    bot = await startTestBot();
    await seed(bot);
  }, 60_000);
  afterAll(() => bot?.stop());
  return () => {
    if (!bot) throw new Error('the bot has not started');
    return bot;
  };
}

describe('execution does not run inside the click', () => {
  const botOf = seededBot();

  it('answers the Approve click and shows the card approved while a step still runs; the result follows in the thread', async () => {
    const bot = botOf();
    const filed = await fileThroughDialog(bot, 'U0BOB', 'key request', keyFields('held-key'));
    const bobDm = bot.slack.dmChannelOf('U0BOB');
    const held = bot.slack.hold(
      'chat.postMessage',
      (args) => args.channel === bobDm && String(args.text).includes('held-key'),
    );
    const click = await clickCard(bot, 'U0ADA', filed, 'Approve');
    expect(click.status).toBe(200);
    await held.arrived;
    // The key's DM is held: its step is still running, and the card already says so.
    expect(textIn(cardMessage(bot.slack, filed).blocks)).toContain(
      ':gear: Approved by <@U0ADA> — running',
    );
    expect((await requestStore(bot).get(filed.id))?.status).toBe('executing');
    expect(resultsIn(bot, filed)).toEqual([]);
    held.release();
    const done = await finished(bot, filed);
    expect(done.status).toBe('succeeded');
    expect(resultsIn(bot, filed)).toHaveLength(1);
    expect(textIn(cardMessage(bot.slack, filed).blocks)).toContain(':white_check_mark: Done');
  });
});

describe('writes whose answers are lost', () => {
  const botOf = seededBot();

  it('a rejection whose write answer was lost still updates the card and tells the requester', async () => {
    const bot = botOf();
    const filed = await fileThroughDialog(bot, 'U0BOB', 'key request', keyFields('lost-reject'));
    // The rejection's write (a transaction with its audit line) reaches DynamoDB; its answer
    // does not, and the SDK retries it. So does the next plain put, the notices' record.
    loseAnswers(bot.app.backend.clients.dynamo, 'TransactWriteItemsCommand');
    loseAnswers(bot.app.backend.clients.dynamo, 'PutItemCommand');
    await clickCard(bot, 'U0ADA', filed, 'Reject');
    await bot.slack.waitForCall('views.open', (call) =>
      JSON.stringify(call.args).includes(filed.id),
    );
    const viewId = [...bot.slack.views.keys()].at(-1) ?? '';
    await bot.driver.submitView('U0ADA', viewId, { Comment: 'not now' });
    const bobDm = bot.slack.dmChannelOf('U0BOB');
    await bot.slack.waitForCall(
      'chat.postMessage',
      (call) => call.args.channel === bobDm && String(call.args.text).includes(`*${filed.id}*:`),
    );
    expect((await requestStore(bot).get(filed.id))?.status).toBe('rejected');
    expect(textIn(cardMessage(bot.slack, filed).blocks)).toContain(
      ':no_entry: Rejected by <@U0ADA>',
    );
    expect(buttonLabels(cardMessage(bot.slack, filed).blocks)).toEqual([]);
  });

  it('an approval whose final write answer was lost still ends in the thread and the DM', async () => {
    const bot = botOf();
    const filed = await fileThroughDialog(bot, 'U0BOB', 'key request', keyFields('lost-final'));
    const held = bot.slack.hold(
      'chat.postMessage',
      (args) => String(args.text).includes('lost-final') && String(args.channel).startsWith('D'),
    );
    await clickCard(bot, 'U0ADA', filed, 'Approve');
    await held.arrived;
    // Every write from here on loses its answer once: the step's, the final status's, the notices'.
    loseAnswers(bot.app.backend.clients.dynamo, 'PutItemCommand', 6);
    loseAnswers(bot.app.backend.clients.dynamo, 'TransactWriteItemsCommand', 6);
    held.release();
    const done = await finished(bot, filed);
    expect(done.status).toBe('succeeded');
    expect(resultsIn(bot, filed)).toHaveLength(1);
    expect(textIn(cardMessage(bot.slack, filed).blocks)).toContain(':white_check_mark: Done');
  });
});

describe('a step held past the lease, with two instances', () => {
  let first: TestBot;
  let second: TestBot;
  beforeAll(async () => {
    // Leases of a second, swept every 200 ms by both: a step held for 3 s outlives three leases.
    const tuning = { leaseMs: 1_000, sweepMs: 200 };
    first = await startTestBot({ tuning });
    second = await startTestBot({ tuning, deployment: first.deployment, slack: first.slack });
    await seed(first);
  }, 60_000);
  afterAll(async () => {
    await second.stop();
    await first.stop();
  });

  it('runs once, sends one key, and the key delivered is the one that works', async () => {
    const filed = await fileThroughDialog(first, 'U0BOB', 'key request', keyFields('slow-key'));
    const bobDm = first.slack.dmChannelOf('U0BOB');
    const held = first.slack.hold(
      'chat.postMessage',
      (args) => args.channel === bobDm && String(args.text).includes('slow-key'),
    );
    await clickCard(first, 'U0ADA', filed, 'Approve');
    await held.arrived;
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    held.release();
    const done = await finished(first, filed, 15_000);
    expect(done.status).toBe('succeeded');
    const events = await requestStore(first).events(filed.id);
    expect(events.filter((event) => event.type === 'execution-started')).toHaveLength(1);
    const values = keyValuesIn(dmsTo(first.slack, 'U0BOB'));
    expect(values).toHaveLength(1);
    const [value] = values;
    if (!value) throw new Error('no key in the DM');
    const verdict = await vamsAuthorizes(
      first.deployment.clients.documents,
      first.deployment.tables,
      value,
    );
    expect(verdict).toEqual({ allowed: true, userId: 'bob@example.com' });
    expect(resultsIn(first, filed)).toHaveLength(1);
  }, 30_000);
});
