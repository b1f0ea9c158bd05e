import {
  AdminGetUserCommand,
  UserNotFoundException,
} from '@aws-sdk/client-cognito-identity-provider';
import type { AccessRequest } from '../../src/domain/request';
import { RequestStore } from '../../src/stores/request.store';
import { roleRows } from '../../test/support/onboarding-flow';
import { SlackStandIn } from '../../test/support/slack-standin';
import { APPROVAL_CHANNEL } from '../../test/support/test-bot';
import { createTestDeployment, type TestDeployment } from '../../test/support/vams-deployment';
import { type ProxiedCall, startAwsProxy } from '../aws-proxy';
import { check, fixed, percent, type Scenario, table } from '../harness';
import { type BotProcess, startBotProcess, until } from '../servers';
import { SEED_CONCURRENCY } from '../user-list';

// Offboarding 1,000 people as 20 requests of 50, approved at the same moment, on one bot whose
// Cognito goes through a proxy that answers TooManyRequestsException above 25 calls a second, as
// Cognito's quota for admin user updates does (look-ups go through one at 120/s, as reads have
// a quota of their own). The bot must keep Cognito busy (≥ 90 % of the
// quota over the bulk work), lose nobody, and update each request's checklist at most once a
// second.
//
// For a look at what else limits it: BENCH_OFFBOARDING_SIZE=<requests>x<users> runs a smaller one
// (e.g. 2x10); BENCH_OFFBOARDING_QUOTA=<n> plays a smaller quota than 25; COGNITO_CALLS_PER_SECOND
// is handed on to the bot (10000: unpaced); BENCH_OFFBOARDING_DYNAMO=1 puts the bot's DynamoDB
// behind a counting proxy too, which costs the bench some CPU of its own.

const DEFAULT_QUOTA_PER_SECOND = 25;
const SHARE_OF_QUOTA_BUDGET = 0.9;
const UPDATES_PER_SECOND_BUDGET = 1;
const DEFAULT_SIZE = { requests: 20, usersPerRequest: 50 };
const REQUESTER = { slackUserId: 'U0ADA', email: 'ada@example.com' };
const APPROVER = { slackUserId: 'U0ALAN', email: 'alan@example.com' };
const ROLE = 'viewer';
// Filing one request reads its 50 people in Cognito first, through the quota.
const FILING_LIMIT_MS = 60_000;
const BULK_LIMIT_MS = 15 * 60_000;
const VERIFY_CONCURRENCY = 16;
// Cognito counts reads against quotas of their own (UserRead: 120/s by default), apart from the
// calls that change users: filing's look-ups go through a proxy that plays that one.
const READ_QUOTA_PER_SECOND = 120;
const READ_OPERATIONS = new Set(['AdminGetUser', 'ListUsers', 'DescribeUserPool']);
const SECOND_MS = 1000;

type Action = 'delete' | 'disable';

interface Planned {
  index: number;
  userIds: string[];
  action: Action;
}

interface Filed extends Planned {
  id: string;
  card: { channel: string; ts: string };
}

interface UpdateFigures {
  /** chat.update calls in all. */
  total: number;
  /** The most on one request's message(s) within any 1,000 ms, over every request. */
  maxInOneSecond: number;
  /** Per request: its updates ÷ seconds from its checklist's post to its result; their mean. */
  meanPerSecond: number;
  /** The shortest time between two updates of one request's message(s), over every request. */
  shortestGapMs: number | undefined;
}

export interface OffboardingFigures {
  requests: number;
  usersPerRequest: number;
  users: number;
  action: string;
  /** COGNITO_CALLS_PER_SECOND as the bot was given it. */
  botPace: string;
  quotaPerSecond: number;
  seedingMs: number;
  filingMs: number;
  /** From the Approve clicks to the last request in a terminal state. */
  wallMs: number;
  cognito: {
    /** From the Approve clicks to the last Cognito call the proxy let through. */
    periodMs: number;
    admitted: number;
    throttled: number;
    perSecond: number;
    shareOfQuota: number;
    /** The most calls let through in one 1-second step from the clicks. */
    busiestSecond: number;
    callsPerUser: number;
    attemptsPerUser: number;
    byOperation: Record<string, { admitted: number; throttled: number }>;
    /** Look-ups, through their own quota: while filing, and during the bulk work. */
    reads: { filing: number; filingThrottled: number; bulk: number };
  };
  failures: {
    total: number;
    requestsNotSucceeded: number;
    stepsFailed: number;
    usersNotOffboarded: number;
    roleRowsLeft: number;
    statuses: Record<string, number>;
  };
  chatUpdate: {
    /** The thread's checklist, the message a request updates as it goes. */
    progress: UpdateFigures;
    /** The checklist and the card together. */
    allMessages: UpdateFigures;
  };
  /** With BENCH_OFFBOARDING_DYNAMO=1: the bot's DynamoDB calls during the bulk work. */
  dynamo?: Record<string, { calls: number; perUser: number; meanMs: number }>;
  botLog: { lines: number; linesWithSecrets: number };
}

function sizeFromEnvironment(): { requests: number; usersPerRequest: number } {
  const given = process.env.BENCH_OFFBOARDING_SIZE;
  if (given === undefined || given === '') return DEFAULT_SIZE;
  const match = /^(\d+)x(\d+)$/.exec(given);
  const requests = Number(match?.[1]);
  const usersPerRequest = Number(match?.[2]);
  if (!match || requests < 1 || usersPerRequest < 1 || usersPerRequest > 50) {
    throw new Error(
      `BENCH_OFFBOARDING_SIZE must be <requests>x<users>, at most 50 users (got "${given}")`,
    );
  }
  return { requests, usersPerRequest };
}

const leaverId = (index: number) => `leaver-${String(index).padStart(4, '0')}`;

/** `work` over `items`, at most `concurrency` at a time. */
async function inPool<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let item = items[next]; item !== undefined; item = items[next]) {
      next += 1;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/** Every leaver straight into moto and DynamoDB Local, not through the proxy: a Cognito user and a role row. */
async function seedLeavers(
  deployment: TestDeployment,
  plan: readonly Planned[],
  progress: (message: string) => void,
): Promise<number> {
  const started = performance.now();
  const userIds = plan.flatMap((planned) => planned.userIds);
  let seeded = 0;
  await inPool(userIds, SEED_CONCURRENCY, async (userId) => {
    await deployment.addVamsUser(userId, [ROLE], `${userId}@example.com`);
    seeded += 1;
    if (seeded % 250 === 0) progress(`seeded ${seeded} of ${userIds.length} leavers`);
  });
  return performance.now() - started;
}

/** `/vams user offboard …` as the requester types it, the dialog filled in, until its card is stored. */
async function fileRequest(
  bot: BotProcess,
  slack: SlackStandIn,
  store: RequestStore,
  planned: Planned,
): Promise<Filed> {
  const known = new Set((await store.open()).map((request) => request.id));
  const viewsBefore = new Set(slack.views.keys());
  const command = await bot.driver.command(
    REQUESTER.slackUserId,
    `user offboard ${planned.userIds.join(' ')}`,
  );
  if (command.status !== 200 || command.ack !== null) {
    throw new Error(
      `/vams user offboard answered ${command.status}: ${JSON.stringify(command.ack)}`,
    );
  }
  let viewId = '';
  // The dialog opens as "Loading…" and becomes the form once the people are read.
  await until(
    `the offboarding dialog of request ${planned.index + 1}`,
    () => {
      const opened = [...slack.views.entries()].find(
        ([id, stored]) => !viewsBefore.has(id) && stored.view.submit !== undefined,
      );
      viewId = opened?.[0] ?? '';
      return opened !== undefined;
    },
    FILING_LIMIT_MS,
  );
  const submitted = await bot.driver.submitView(REQUESTER.slackUserId, viewId, {
    Action: planned.action === 'delete' ? 'Delete the Cognito user' : 'Disable the Cognito user',
    Reason: `Bench: team ${planned.index + 1} closed`,
  });
  if (submitted.status !== 200 || submitted.ack !== null) {
    throw new Error(
      `the offboarding dialog was not accepted: HTTP ${submitted.status}, ${JSON.stringify(submitted.ack)}`,
    );
  }
  let filed: AccessRequest | undefined;
  // Clicks are refused until the card's place is stored.
  await until(
    `the card of request ${planned.index + 1}`,
    async () => {
      filed = (await store.open()).find(
        (request) => !known.has(request.id) && request.card !== undefined,
      );
      return filed !== undefined;
    },
    FILING_LIMIT_MS,
    100,
  );
  if (!filed?.card) throw new Error('no card');
  return { ...planned, id: filed.id, card: filed.card };
}

/** The most of `times` (ms) within any window [t, t + 1,000 ms). */
function mostInOneSecond(times: readonly number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  let from = 0;
  for (let to = 0; to < sorted.length; to += 1) {
    while ((sorted[to] ?? 0) - (sorted[from] ?? 0) >= SECOND_MS) from += 1;
    most = Math.max(most, to - from + 1);
  }
  return most;
}

function shortestGap(times: readonly number[]): number | undefined {
  const sorted = [...times].sort((a, b) => a - b);
  let shortest: number | undefined;
  for (let index = 1; index < sorted.length; index += 1) {
    const gap = (sorted[index] ?? 0) - (sorted[index - 1] ?? 0);
    if (shortest === undefined || gap < shortest) shortest = gap;
  }
  return shortest;
}

interface RequestMessages {
  /** When its checklist was posted and its result posted (stand-in clock, ms). */
  postedAt: number | undefined;
  endedAt: number | undefined;
  progressUpdates: number[];
  cardUpdates: number[];
}

const RESULT_TEXT = /^:(white_check_mark|x):/;

/**
 * How many of the requests have posted their result (after their final status write), read off
 * the calls the stand-in recorded since the last look: the bench's own work must stay small
 * beside the bot's.
 */
function resultWatch(slack: SlackStandIn, filed: readonly Filed[]): { ended(): number } {
  const cards = new Set(filed.map((request) => request.card.ts));
  const ended = new Set<string>();
  let seen = 0;
  return {
    ended: () => {
      for (; seen < slack.calls.length; seen += 1) {
        const call = slack.calls[seen];
        const thread = String(call?.args.thread_ts);
        if (call?.method !== 'chat.postMessage' || !call.ok || !cards.has(thread)) continue;
        if (RESULT_TEXT.test(String(call.args.text))) ended.add(thread);
      }
      return ended.size;
    },
  };
}

/** What the stand-in recorded for one request's card and thread. */
function messagesOf(slack: SlackStandIn, filed: Filed, since = 0): RequestMessages {
  const thread = slack
    .messages(APPROVAL_CHANNEL)
    .filter((message) => message.threadTs === filed.card.ts);
  const progressTs = new Set(
    thread.filter((message) => message.text === `${filed.id} progress`).map((m) => m.ts),
  );
  const posts = slack
    .callsTo('chat.postMessage')
    .filter((call) => call.ok && call.args.thread_ts === filed.card.ts);
  const updates = slack.callsTo('chat.update').filter((call) => call.ok && call.at >= since);
  const result = posts.find((call) => RESULT_TEXT.test(String(call.args.text)));
  return {
    postedAt: posts.find((call) => call.args.text === `${filed.id} progress`)?.at,
    endedAt: result?.at,
    progressUpdates: updates
      .filter((call) => progressTs.has(String(call.args.ts)))
      .map((call) => call.at),
    cardUpdates: updates.filter((call) => call.args.ts === filed.card.ts).map((call) => call.at),
  };
}

function updateFigures(
  perRequest: readonly { updates: number[]; postedAt?: number; endedAt?: number }[],
): UpdateFigures {
  const rates = perRequest.flatMap(({ updates, postedAt, endedAt }) =>
    postedAt !== undefined && endedAt !== undefined && endedAt > postedAt
      ? [updates.length / ((endedAt - postedAt) / SECOND_MS)]
      : [],
  );
  const gaps = perRequest.flatMap(({ updates }) => {
    const gap = shortestGap(updates);
    return gap === undefined ? [] : [gap];
  });
  return {
    total: perRequest.reduce((sum, { updates }) => sum + updates.length, 0),
    maxInOneSecond: Math.max(0, ...perRequest.map(({ updates }) => mostInOneSecond(updates))),
    meanPerSecond:
      rates.length === 0 ? Number.NaN : rates.reduce((sum, rate) => sum + rate, 0) / rates.length,
    shortestGapMs: gaps.length === 0 ? undefined : Math.min(...gaps),
  };
}

function cognitoFigures(
  calls: readonly ProxiedCall[],
  clickedAt: number,
  users: number,
  quotaPerSecond: number,
) {
  const admitted = calls.filter((call) => !call.throttled);
  const throttled = calls.length - admitted.length;
  const lastAt = Math.max(clickedAt, ...admitted.map((call) => call.startedAt));
  const periodMs = lastAt - clickedAt;
  const perSecond = periodMs > 0 ? admitted.length / (periodMs / SECOND_MS) : Number.NaN;
  const seconds = new Map<number, number>();
  for (const call of admitted) {
    const second = Math.floor((call.startedAt - clickedAt) / SECOND_MS);
    seconds.set(second, (seconds.get(second) ?? 0) + 1);
  }
  const byOperation: Record<string, { admitted: number; throttled: number }> = {};
  for (const call of calls) {
    const entry = byOperation[call.operation] ?? { admitted: 0, throttled: 0 };
    if (call.throttled) entry.throttled += 1;
    else entry.admitted += 1;
    byOperation[call.operation] = entry;
  }
  return {
    periodMs,
    admitted: admitted.length,
    throttled,
    perSecond,
    shareOfQuota: perSecond / quotaPerSecond,
    busiestSecond: Math.max(0, ...seconds.values()),
    callsPerUser: admitted.length / users,
    attemptsPerUser: calls.length / users,
    byOperation,
  };
}

function dynamoFigures(calls: readonly ProxiedCall[], users: number) {
  const byOperation: Record<string, { calls: number; perUser: number; meanMs: number }> = {};
  for (const call of calls) {
    const entry = byOperation[call.operation] ?? { calls: 0, perUser: 0, meanMs: 0 };
    entry.meanMs =
      (entry.meanMs * entry.calls + (call.endedAt - call.startedAt)) / (entry.calls + 1);
    entry.calls += 1;
    entry.perUser = entry.calls / users;
    byOperation[call.operation] = entry;
  }
  return byOperation;
}

/** Whether Cognito and VAMS's table show each leaver offboarded: gone or disabled, no role row. */
async function verifyLeavers(deployment: TestDeployment, filed: readonly Filed[]) {
  const people = filed.flatMap((request) =>
    request.userIds.map((userId) => ({ userId, action: request.action })),
  );
  let notOffboarded = 0;
  let roleRowsLeft = 0;
  await inPool(people, VERIFY_CONCURRENCY, async ({ userId, action }) => {
    const left = (await roleRows(deployment, userId)).length;
    roleRowsLeft += left;
    let cognitoDone: boolean;
    try {
      const user = await deployment.clients.cognito.send(
        new AdminGetUserCommand({ UserPoolId: deployment.userPoolId, Username: userId }),
      );
      cognitoDone = action === 'disable' && user.Enabled === false;
    } catch (error) {
      if (!(error instanceof UserNotFoundException)) throw error;
      cognitoDone = action === 'delete';
    }
    if (left > 0 || !cognitoDone) notOffboarded += 1;
  });
  return { notOffboarded, roleRowsLeft };
}

async function run(context: Parameters<Scenario['run']>[0]) {
  const { services, progress } = context;
  const { requests, usersPerRequest } = sizeFromEnvironment();
  const users = requests * usersPerRequest;
  // The bench's own COGNITO_CALLS_PER_SECOND reaches the bot, e.g. 10000 to see it unpaced.
  const botPace = process.env.COGNITO_CALLS_PER_SECOND || undefined;
  // BENCH_OFFBOARDING_QUOTA lowers the proxy's quota below what the bot can ask for here.
  const quotaPerSecond = Number(process.env.BENCH_OFFBOARDING_QUOTA || DEFAULT_QUOTA_PER_SECOND);
  // Half the requests delete their people, half disable them: both ways VAMS users leave.
  const plan: Planned[] = Array.from({ length: requests }, (_, index) => ({
    index,
    action: index % 2 === 0 ? 'delete' : 'disable',
    userIds: Array.from({ length: usersPerRequest }, (_, offset) =>
      leaverId(index * usersPerRequest + offset + 1),
    ),
  }));

  const deployment = await createTestDeployment();
  const slack = await SlackStandIn.start();
  // Cognito counts reads under a quota of their own.
  const proxy = await startAwsProxy({
    target: services.cognitoEndpoint,
    quotas: [
      { perSecond: READ_QUOTA_PER_SECOND, operations: READ_OPERATIONS },
      { perSecond: quotaPerSecond },
    ],
  });
  const isRead = (call: ProxiedCall) => READ_OPERATIONS.has(call.operation);
  const dynamoProxy = process.env.BENCH_OFFBOARDING_DYNAMO
    ? await startAwsProxy({ target: services.dynamoEndpoint })
    : undefined;
  let bot: BotProcess | undefined;
  try {
    await deployment.addRole(ROLE);
    for (const admin of [REQUESTER, APPROVER]) {
      await deployment.addVamsUser(admin.email, ['admin']);
      slack.addUser({ id: admin.slackUserId, email: admin.email, emailConfirmed: true });
    }
    progress(`seeding ${users} leavers (${requests} requests of ${usersPerRequest})`);
    const seedingMs = await seedLeavers(deployment, plan, progress);

    bot = await startBotProcess(services, deployment, slack, {
      env: {
        AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: proxy.url,
        ...(dynamoProxy ? { AWS_ENDPOINT_URL_DYNAMODB: dynamoProxy.url } : {}),
        ...(botPace === undefined ? {} : { COGNITO_CALLS_PER_SECOND: botPace }),
      },
    });
    const store = new RequestStore(deployment.clients.documents, deployment.tables.bot);

    progress(`filing ${requests} offboarding requests through Slack`);
    const filingStarted = performance.now();
    const filed: Filed[] = [];
    for (const planned of plan) filed.push(await fileRequest(bot, slack, store, planned));
    const filingMs = performance.now() - filingStarted;
    const filingReads = proxy.calls.filter(isRead).length;
    const filingReadsThrottled = proxy.calls.filter(
      (call) => isRead(call) && call.throttled,
    ).length;

    progress(`approving ${requests} requests at once`);
    proxy.clear();
    dynamoProxy?.clear();
    // The stand-in records calls on the wall clock; the proxy on performance.now().
    const clickedWallAt = Date.now();
    const clickedAt = performance.now();
    const driver = bot.driver;
    const clicks = await Promise.all(
      filed.map((request) => driver.clickButton(APPROVER.slackUserId, request.card, 'Approve')),
    );
    const refused = clicks.filter((click) => click.status !== 200);
    if (refused.length > 0) throw new Error(`${refused.length} Approve clicks were refused`);
    const watch = resultWatch(slack, filed);
    await until(
      'every request to end',
      () => watch.ended() === filed.length,
      BULK_LIMIT_MS,
      50,
    ).catch((error: unknown) =>
      progress(`${String(error)}; ${watch.ended()} of ${filed.length} ended`),
    );
    const wallMs = performance.now() - clickedAt;
    const cognitoCalls = proxy.calls.filter((call) => !isRead(call));
    const bulkReads = proxy.calls.filter(isRead).length;
    const dynamo = dynamoProxy ? dynamoFigures(dynamoProxy.calls, users) : undefined;
    progress(
      `${watch.ended()} of ${filed.length} ended in ${fixed(wallMs / 1000)} s; checking the leavers`,
    );

    const stored = await Promise.all(filed.map((request) => store.get(request.id)));
    const statuses: Record<string, number> = {};
    for (const request of stored) {
      const status = request?.status ?? 'missing';
      statuses[status] = (statuses[status] ?? 0) + 1;
    }
    const stepsFailed = stored.reduce(
      (sum, request) =>
        sum + (request?.steps.filter((step) => step.status === 'failed').length ?? 0),
      0,
    );
    const leavers = await verifyLeavers(deployment, filed);
    const requestsNotSucceeded = stored.filter((request) => request?.status !== 'succeeded').length;

    // Only what the approvals caused: the cards' redraws while filing are not counted.
    const messages = filed.map((request) => messagesOf(slack, request, clickedWallAt));
    const progressFigures = updateFigures(
      messages.map((message) => ({ ...message, updates: message.progressUpdates })),
    );
    const allFigures = updateFigures(
      messages.map((message) => ({
        ...message,
        updates: [...message.progressUpdates, ...message.cardUpdates],
      })),
    );
    const cognito = cognitoFigures(cognitoCalls, clickedAt, users, quotaPerSecond);

    const figures: OffboardingFigures = {
      requests,
      usersPerRequest,
      users,
      action: 'delete (even requests), disable (odd requests)',
      botPace: botPace ?? 'default',
      quotaPerSecond,
      seedingMs,
      filingMs,
      wallMs,
      cognito: {
        ...cognito,
        reads: { filing: filingReads, filingThrottled: filingReadsThrottled, bulk: bulkReads },
      },
      failures: {
        total: requestsNotSucceeded + stepsFailed + leavers.notOffboarded,
        requestsNotSucceeded,
        stepsFailed,
        usersNotOffboarded: leavers.notOffboarded,
        roleRowsLeft: leavers.roleRowsLeft,
        statuses,
      },
      chatUpdate: { progress: progressFigures, allMessages: allFigures },
      ...(dynamo ? { dynamo } : {}),
      botLog: { lines: bot.log.lines, linesWithSecrets: bot.log.linesWithSecrets },
    };
    return { figures, lines: reportLines(figures), checks: budgetChecks(figures) };
  } finally {
    await bot?.stop();
    await proxy.stop();
    await dynamoProxy?.stop();
    await slack.stop();
    deployment.destroy();
  }
}

function updateRow(name: string, figures: UpdateFigures): string[] {
  return [
    name,
    String(figures.total),
    String(figures.maxInOneSecond),
    fixed(figures.meanPerSecond, 2),
    figures.shortestGapMs === undefined ? '-' : `${figures.shortestGapMs} ms`,
  ];
}

function reportLines(figures: OffboardingFigures): string[] {
  const { cognito, failures, chatUpdate } = figures;
  const seconds = (ms: number) => `${fixed(ms / 1000)} s`;
  const statusText = Object.entries(failures.statuses)
    .map(([status, count]) => `${count} ${status}`)
    .join(', ');
  return [
    `  ${figures.users} users as ${figures.requests} requests of ${figures.usersPerRequest}, approved at once; Cognito's changes through a proxy at ${figures.quotaPerSecond} calls/s, reads at ${READ_QUOTA_PER_SECOND}/s; the bot's COGNITO_CALLS_PER_SECOND: ${figures.botPace}`,
    ...table(
      ['phase', 'time'],
      [
        ['seeding (straight to moto and DynamoDB Local)', seconds(figures.seedingMs)],
        ['filing through Slack, one request after another', seconds(figures.filingMs)],
        ['Approve clicks → every request ended (wall time)', seconds(figures.wallMs)],
        ['Approve clicks → last Cognito call let through', seconds(cognito.periodMs)],
      ],
    ),
    '',
    ...table(
      ['Cognito (calls that change users)', 'value'],
      [
        ['calls let through', String(cognito.admitted)],
        ['throttled answers (TooManyRequestsException)', String(cognito.throttled)],
        ['calls let through per second', fixed(cognito.perSecond, 2)],
        ['÷ quota', percent(cognito.shareOfQuota)],
        ['busiest second (from the clicks)', String(cognito.busiestSecond)],
        ['calls per user (let through)', fixed(cognito.callsPerUser, 2)],
        ['attempts per user (with throttled)', fixed(cognito.attemptsPerUser, 2)],
        ...Object.entries(cognito.byOperation).map(([operation, count]) => [
          `  ${operation}`,
          `${count.admitted} + ${count.throttled} throttled`,
        ]),
        [
          `reads (own quota, ${READ_QUOTA_PER_SECOND}/s) while filing`,
          `${cognito.reads.filing} (${cognito.reads.filingThrottled} throttled)`,
        ],
        ['reads during the bulk work', String(cognito.reads.bulk)],
      ],
    ),
    '',
    ...table(
      ['outcome', 'value'],
      [
        ['requests', statusText],
        ['requests not succeeded', String(failures.requestsNotSucceeded)],
        ['steps failed', String(failures.stepsFailed)],
        ['users not offboarded (Cognito or role rows)', String(failures.usersNotOffboarded)],
        ['role rows left', String(failures.roleRowsLeft)],
      ],
    ),
    '',
    ...table(
      ['chat.update per request', 'total', 'most in 1 s', 'mean /s', 'shortest gap'],
      [
        updateRow('checklist in the thread', chatUpdate.progress),
        updateRow('checklist and card', chatUpdate.allMessages),
      ],
    ),
    ...(figures.dynamo
      ? [
          '',
          ...table(
            ['DynamoDB (through a proxy)', 'calls', 'per user', 'mean'],
            Object.entries(figures.dynamo).map(([operation, entry]) => [
              operation,
              String(entry.calls),
              fixed(entry.perUser, 1),
              `${fixed(entry.meanMs, 1)} ms`,
            ]),
          ),
        ]
      : []),
    `  bot log: ${figures.botLog.lines} lines, ${figures.botLog.linesWithSecrets} with a secret`,
  ];
}

function budgetChecks(figures: OffboardingFigures) {
  const { cognito, failures, chatUpdate } = figures;
  return [
    check(
      'offboarding: Cognito calls ÷ quota',
      cognito.shareOfQuota * 100,
      SHARE_OF_QUOTA_BUDGET * 100,
      '%',
      {
        direction: 'min',
        note: `calls the proxy let through from the Approve clicks to the last one, per second, ÷ ${figures.quotaPerSecond}`,
      },
    ),
    check('offboarding: failures', failures.total, 0, 'failures', {
      note: 'requests not succeeded + steps failed + users still in Cognito (or enabled) or holding a role row',
    }),
    check(
      'offboarding: checklist updates per request',
      chatUpdate.progress.maxInOneSecond,
      UPDATES_PER_SECOND_BUDGET,
      'per s',
      {
        note: `the most chat.update calls on one request's checklist within any 1,000 ms (stand-in clock); mean ${fixed(chatUpdate.progress.meanPerSecond, 2)}/s`,
      },
    ),
  ];
}

export const scenario: Scenario<OffboardingFigures> = {
  name: 'offboarding',
  summary: 'bulk offboarding: 20 requests of 50 users approved at once, Cognito at a 25/s quota',
  needsBuild: true,
  needsServices: true,
  run,
};
