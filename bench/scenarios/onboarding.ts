import { randomBytes } from 'node:crypto';
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
  UserNotFoundException,
} from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { CallPace } from '../../src/aws/throttle';
import { DEFAULT_TUNING } from '../../src/composition';
import { loadConfig } from '../../src/config';
import { RequestStore } from '../../src/stores/request.store';
import { userRoleTimestamp } from '../../src/vams/vams-format';
import { USER_CREATE_IDS } from '../../src/views/user-create.view';
import { onboardingFields } from '../../test/support/onboarding-flow';
import { SlackDriver } from '../../test/support/slack-driver';
import { type RecordedCall, SlackStandIn } from '../../test/support/slack-standin';
import { APPROVAL_CHANNEL } from '../../test/support/test-bot';
import { createTestDeployment, type TestDeployment } from '../../test/support/vams-deployment';
import { type AwsProxy, busyMs, type ProxiedCall, startAwsProxy } from '../aws-proxy';
import { type CpuSplit, cpuBetween, cpuSnapshot } from '../cpu-usage';
import {
  type BenchContext,
  type BudgetCheck,
  check,
  fixed,
  type Scenario,
  table,
} from '../harness';
import { type BotProcess, STANDIN_TOKEN, startBotProcess, until } from '../servers';
import { type LatencyStats, latencyStats, percentile } from '../stats';

// Onboarding from the approver's click: one at a time, where the time goes (the bot, the
// emulators, Slack); then many approved at once, against a plain SDK script making the same
// Cognito and DynamoDB calls with the same concurrency.

// Smaller sizes for a quick run: BENCH_ONBOARDING_BULK=20 BENCH_ONBOARDING_TIMED=5.
const BULK = Number(process.env.BENCH_ONBOARDING_BULK ?? 500);
const TIMED = Number(process.env.BENCH_ONBOARDING_TIMED ?? 30);
const WARM_UP = 5;
// A directory here: the bot runs under --cpu-prof and leaves its profile there when it stops.
const PROFILE_DIR = process.env.BENCH_ONBOARDING_PROFILE;
// Filing is set-up, not measured: a few people at once keeps it short.
const FILING_CONCURRENCY = 6;
const ROLE = 'viewer';
const REQUESTER = { slackUserId: 'U0BENCHREQ', email: 'requester@example.com' };
const APPROVER = { slackUserId: 'U0BENCHAPR', email: 'approver@example.com' };
// No new call at either emulator for this long: the request's last writes are done.
const QUIET_MS = 60;
const RESULT_WAIT_MS = 30_000;
const MODAL_WAIT_MS = 5_000;
const MODAL_ATTEMPTS = 3;
const BULK_LIMIT_MS = 10 * 60_000;
// Longer than a lease (60 s) and a sweep (30 s): a request still open by then is left behind.
const STALL_MS = 2 * 60_000;
const BUDGET_OWN_P50_MS = 20;
const BUDGET_FLOOR_SHARE = 80;

interface Filed {
  userId: string;
  id: string;
  ts: string;
}

interface TimedApproval {
  totalMs: number;
  /** Time covered by the bot's Cognito and DynamoDB calls in the interval. */
  awsMs: number;
  /** Time covered by its Slack Web API calls, as the stand-in answered them. */
  slackMs: number;
  /** Covered by either. */
  awsOrSlackMs: number;
  /** The longest stretch with no AWS or Slack call in flight: a wait, or work between calls. */
  longestGapMs: number;
  operations: string[];
  slackMethods: string[];
}

interface BulkRun {
  requests: number;
  /** From the first Approve click sent to the last request's result in its thread. */
  ms: number;
  perSecond: number;
  /** From the first click to the last requester told by DM. */
  allToldMs: number;
  clicksSentMs: number;
  clickStatusNot200: number;
  succeeded: number;
  failed: number;
  unfinished: number;
  /** Where the unfinished ones stopped: their status in the bot table. */
  unfinishedStatuses: Record<string, number>;
  awsCalls: number;
  slackCalls: number;
  /** The most calls the bot had at the DynamoDB and the Cognito emulator at one moment. */
  maxInFlight: { dynamo: number; cognito: number };
  /** How long a DynamoDB call took at the emulator (through the proxy), on average. */
  dynamoMeanMs: number;
  /** The most Cognito calls the bot made in any one second. */
  cognitoMostPerSecond: number;
  /** When results arrived, ms after the first click: the 10th, 50th and 90th percentiles, last. */
  resultsAtMs: { p10: number; p50: number; p90: number; last: number };
  /** When the bot sent its first and its last AdminCreateUser, ms after the first click. */
  createsAtMs: { first: number; last: number };
  /** Until the last result or the limit: the bot, the bench, the emulators, other work. */
  cpu: CpuSplit | undefined;
}

interface FloorRun {
  users: number;
  concurrency: number;
  ms: number;
  perSecond: number;
  failures: number;
  failureSamples: string[];
  /** The script runs in the bench process: its CPU is the SDK's cost of these calls. */
  cpu: CpuSplit | undefined;
}

export interface OnboardingFigures {
  timedApprovals: number;
  warmUp: number;
  latency: {
    total: LatencyStats;
    ownShare: LatencyStats;
    aws: LatencyStats;
    slack: LatencyStats;
    ownShareWithoutSlack: LatencyStats;
    longestGap: LatencyStats;
  };
  /** The Cognito and DynamoDB calls of one approval up to its result, as the proxies saw them. */
  operations: string[];
  /** Timed approvals whose calls differed from `operations` (a sweep falling in, a retry). */
  approvalsWithOtherCalls: number;
  /** Over the approvals one at a time, warm-up and the waits between them included. */
  timedCpu: CpuSplit | undefined;
  slackMethods: string[];
  floorMatchesBot: boolean;
  bulk: BulkRun;
  floor: FloorRun;
  /** The same, each AdminCreateUser waiting for its turn as the bot's do (COGNITO_CALLS_PER_SECOND). */
  pacedFloor: FloorRun & { cognitoPerSecond: number };
  botVsFloor: number;
  failures: { latencyPhase: number; bulk: number; floor: number };
  botLogLinesWithSecrets: number;
  /** `/vams user create` run again because the bot opened no modal in time. */
  filingRetries: number;
  /** The bot's warning and error lines over the whole scenario, by message and error type. */
  botWarnings: Record<string, number>;
}

/**
 * The bot's warnings and errors from here on, counted by message and error type (nothing else
 * of a line is kept).
 */
function watchWarnings(bot: BotProcess): Map<string, number> {
  const counts = new Map<string, number>();
  const read = bot.log.read.bind(bot.log);
  bot.log.read = (line: string) => {
    read(line);
    let entry: { level?: unknown; msg?: unknown; err?: { type?: unknown } };
    try {
      entry = JSON.parse(line);
    } catch {
      return;
    }
    if (entry.level !== 'warn' && entry.level !== 'error' && entry.level !== 'fatal') return;
    const type = typeof entry.err?.type === 'string' ? ` (${entry.err.type})` : '';
    const key = `${entry.level}: ${String(entry.msg)}${type}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  };
  return counts;
}

/** Calls overlapping [from, to], cut to it. */
function within(calls: readonly ProxiedCall[], from: number, to: number): ProxiedCall[] {
  return calls
    .filter((call) => call.endedAt > from && call.startedAt < to)
    .map((call) => ({
      ...call,
      startedAt: Math.max(call.startedAt, from),
      endedAt: Math.min(call.endedAt, to),
    }));
}

/** The most calls in flight at one moment. */
function maxInFlight(calls: readonly ProxiedCall[]): number {
  const edges = calls.flatMap((call) => [
    [call.startedAt, 1],
    [call.endedAt, -1],
  ]);
  edges.sort((a, b) => (a[0] ?? 0) - (b[0] ?? 0) || (a[1] ?? 0) - (b[1] ?? 0));
  let now = 0;
  let most = 0;
  for (const [, step] of edges) {
    now += step ?? 0;
    most = Math.max(most, now);
  }
  return most;
}

/** The most calls that started within any 1,000 ms. */
function mostInOneSecond(calls: readonly ProxiedCall[]): number {
  const starts = calls.map((call) => call.startedAt).sort((a, b) => a - b);
  let most = 0;
  let first = 0;
  for (const [index, at] of starts.entries()) {
    while ((starts[first] ?? at) <= at - 1000) first += 1;
    most = Math.max(most, index - first + 1);
  }
  return most;
}

/** The longest stretch of [from, to] that no call covers. */
function longestGap(calls: readonly ProxiedCall[], from: number, to: number): number {
  let longest = 0;
  let reached = from;
  for (const call of byStart(calls)) {
    longest = Math.max(longest, call.startedAt - reached);
    reached = Math.max(reached, call.endedAt);
  }
  return Math.max(longest, to - reached);
}

/**
 * The operations in the order they started, those made at once (each starting before the ones
 * before it had all ended) in alphabetical order: which of them came first is chance.
 */
function canonical(calls: readonly ProxiedCall[]): string[] {
  const order: string[] = [];
  let together: string[] = [];
  let endOfGroup = Number.NEGATIVE_INFINITY;
  for (const call of byStart(calls)) {
    if (call.startedAt >= endOfGroup) {
      order.push(...together.sort());
      together = [];
    }
    together.push(call.operation);
    endOfGroup = Math.max(endOfGroup, call.endedAt);
  }
  order.push(...together.sort());
  return order;
}

function byStart(calls: readonly ProxiedCall[]): ProxiedCall[] {
  return [...calls].sort((a, b) => a.startedAt - b.startedAt);
}

function mostCommon(sequences: readonly string[][]): string[] {
  const counts = new Map<string, number>();
  for (const sequence of sequences) {
    const key = sequence.join(' ');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const [best] = [...counts.entries()].sort((a, b) => b[1] - a[1]);
  return best ? best[0].split(' ') : [];
}

/** Runs `work` on every item, at most `limit` at once. */
async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next] as T;
      next += 1;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

const SUBMITTED_DM = /\*(R[0-9A-Z]+)\* for `([^`]+)` is waiting for approval/;
const CARD_TEXT = /^Onboarding request (R[0-9A-Z]+) for (\S+) by /;

/** The result of a request in its card's thread: what the bot posts when it ends. */
function isResultOf(call: RecordedCall, id: string): boolean {
  const metadata = call.args.metadata as { event_payload?: Record<string, unknown> } | undefined;
  return (
    call.ok &&
    call.args.channel === APPROVAL_CHANNEL &&
    metadata?.event_payload?.request_id === id &&
    String(metadata.event_payload.notice_id).endsWith('-result') &&
    metadata.event_payload.part === '0'
  );
}

function isOutcomeDmOf(call: RecordedCall, dm: string, id: string): boolean {
  return call.ok && call.args.channel === dm && String(call.args.text).includes(`*${id}*:`);
}

/**
 * Files onboardings through Slack as the requester does (`/vams user create`, the modal filled
 * and submitted), a few at once, and returns each once its card is posted and stored (the
 * requester's receipt, the last thing filing does, has gone out).
 */
async function fileOnboardings(
  bot: BotProcess,
  slack: SlackStandIn,
  userIds: readonly string[],
): Promise<{ filed: Map<string, Filed>; retries: number }> {
  const claimed = new Set<string>();
  let retries = 0;
  /** `/vams user create`, then the modal it opened: any not taken, they are the same empty form. */
  const openModal = async (): Promise<string> => {
    for (let attempt = 1; ; attempt += 1) {
      const command = await bot.driver.command(REQUESTER.slackUserId, 'user create');
      if (command.status !== 200) throw new Error(`/vams user create answered ${command.status}`);
      let viewId: string | undefined;
      try {
        await until(
          'the onboarding modal',
          () => {
            for (const [id, stored] of slack.views) {
              if (claimed.has(id) || stored.userId !== REQUESTER.slackUserId) continue;
              if (stored.view.callback_id !== USER_CREATE_IDS.callbackId) continue;
              if (!stored.view.submit) continue;
              claimed.add(id);
              viewId = id;
              return true;
            }
            return false;
          },
          MODAL_WAIT_MS,
          5,
        );
        return viewId as string;
      } catch (error) {
        // A trigger lives 3 s: on a busy machine the bot can be too late to open the modal, and
        // the person runs the command again.
        if (attempt === MODAL_ATTEMPTS) {
          const refused = slack.callsTo('views.open').filter((call) => !call.ok);
          const errors = [...new Set(refused.map((call) => call.error))].join(', ');
          throw new Error(
            `${String(error)}; views.open refused ${refused.length} times (${errors})`,
          );
        }
        retries += 1;
      }
    }
  };
  await eachLimited(userIds, FILING_CONCURRENCY, async (userId) => {
    const viewId = await openModal();
    const submitted = await bot.driver.submitView(
      REQUESTER.slackUserId,
      viewId,
      onboardingFields({ userId, roles: [ROLE] }),
    );
    if (submitted.status !== 200 || submitted.ack !== null) {
      throw new Error(`the onboarding modal was not accepted: ${JSON.stringify(submitted.ack)}`);
    }
  });
  const wanted = new Set(userIds);
  const ids = new Map<string, string>();
  const dm = slack.dmChannelOf(REQUESTER.slackUserId);
  let scanned = 0;
  await until(
    'the requester told of every request',
    () => {
      for (; scanned < slack.calls.length; scanned += 1) {
        const call = slack.calls[scanned];
        if (!call?.ok || call.method !== 'chat.postMessage' || call.args.channel !== dm) continue;
        const match = SUBMITTED_DM.exec(String(call.args.text));
        if (match?.[1] && match[2] && wanted.has(match[2])) ids.set(match[2], match[1]);
      }
      return ids.size === wanted.size;
    },
    30_000 + 200 * userIds.length,
  );
  const filed = new Map<string, Filed>();
  for (const message of slack.messages(APPROVAL_CHANNEL)) {
    if (message.threadTs !== undefined) continue;
    const match = CARD_TEXT.exec(message.text ?? '');
    const userId = match?.[2];
    if (!match?.[1] || !userId || ids.get(userId) !== match[1]) continue;
    filed.set(userId, { userId, id: match[1], ts: message.ts });
  }
  if (filed.size !== wanted.size) {
    throw new Error(`${wanted.size - filed.size} cards are missing in the approvals channel`);
  }
  return { filed, retries };
}

async function quiet(proxies: readonly AwsProxy[]): Promise<void> {
  let count = -1;
  let since = performance.now();
  await until(
    'the emulators quiet',
    () => {
      const now = proxies.reduce((sum, proxy) => sum + proxy.calls.length, 0);
      if (now !== count) {
        count = now;
        since = performance.now();
      }
      return performance.now() - since >= QUIET_MS;
    },
    10_000,
    10,
  );
}

/** One Approve click, timed to its result in the thread, with the calls made meanwhile. */
async function timedApproval(
  bot: BotProcess,
  slack: SlackStandIn,
  filed: Filed,
  proxies: { dynamo: AwsProxy; cognito: AwsProxy; slack: AwsProxy },
): Promise<TimedApproval> {
  for (const proxy of Object.values(proxies)) proxy.clear();
  const result = slack
    .waitForCall('chat.postMessage', (call) => isResultOf(call, filed.id), RESULT_WAIT_MS)
    .then(() => performance.now());
  const startedAt = performance.now();
  const click = await bot.driver.clickButton(
    APPROVER.slackUserId,
    { channel: APPROVAL_CHANNEL, ts: filed.ts },
    'Approve',
  );
  if (click.status !== 200) throw new Error(`the Approve click answered ${click.status}`);
  const endedAt = await result;
  const dm = slack.dmChannelOf(REQUESTER.slackUserId);
  await slack.waitForCall('chat.postMessage', (call) => isOutcomeDmOf(call, dm, filed.id));
  await quiet([proxies.dynamo, proxies.cognito]);
  const aws = within([...proxies.dynamo.calls, ...proxies.cognito.calls], startedAt, endedAt);
  const slackCalls = within(proxies.slack.calls, startedAt, endedAt);
  const totalMs = endedAt - startedAt;
  return {
    totalMs,
    awsMs: busyMs(aws),
    slackMs: busyMs(slackCalls),
    awsOrSlackMs: busyMs([...aws, ...slackCalls]),
    longestGapMs: longestGap([...aws, ...slackCalls], startedAt, endedAt),
    operations: canonical(aws),
    slackMethods: byStart(slackCalls).map((call) => call.operation.replace('POST /api/', '')),
  };
}

/**
 * Click payloads built ahead, as the driver builds them, so that sending them all is only
 * signing and posting: looking a card up in the stand-in copies the whole channel each time.
 */
async function clickBodies(slack: SlackStandIn, filed: readonly Filed[]): Promise<string[]> {
  const bodies: string[] = [];
  const builder = new SlackDriver({
    eventsUrl: 'http://127.0.0.1:9/unused',
    signingSecret: 'unused',
    slack,
    transport: async ({ body }) => {
      bodies.push(body);
      return { status: 200, text: '' };
    },
  });
  for (const request of filed) {
    await builder.clickButton(
      APPROVER.slackUserId,
      { channel: APPROVAL_CHANNEL, ts: request.ts },
      'Approve',
    );
  }
  return bodies;
}

async function bulkApproval(
  bot: BotProcess,
  slack: SlackStandIn,
  deployment: TestDeployment,
  filed: readonly Filed[],
  { dynamo, cognito, slack: slackProxy }: { dynamo: AwsProxy; cognito: AwsProxy; slack: AwsProxy },
  progress: (message: string) => void,
): Promise<BulkRun> {
  const proxies = [dynamo, cognito, slackProxy];
  const bodies = await clickBodies(slack, filed);
  for (const proxy of proxies) proxy.clear();
  const pending = new Set(filed.map((request) => request.id));
  const untold = new Set(pending);
  const dm = slack.dmChannelOf(REQUESTER.slackUserId);
  const firstCall = slack.calls.length;
  progress(`approving ${filed.length} onboardings at once`);
  const cpuFrom = cpuSnapshot(bot.pid);
  const startedAt = performance.now();
  const startedAtMs = Date.now();
  const sends = bodies.map((body) => bot.driver.sendSigned(body));
  const clicksSentMs = performance.now() - startedAt;
  const answered = await Promise.allSettled(sends);
  const clickStatusNot200 = answered.filter(
    (outcome) => outcome.status !== 'fulfilled' || outcome.value.status !== 200,
  ).length;
  let scanned = firstCall;
  let lastResultAt = Number.NaN;
  let lastToldAt = Number.NaN;
  const resultTimes: number[] = [];
  let progressAt = performance.now();
  try {
    await until(
      'every result in its thread and every requester told',
      () => {
        if (scanned < slack.calls.length) progressAt = performance.now();
        for (; scanned < slack.calls.length; scanned += 1) {
          const call = slack.calls[scanned];
          if (!call?.ok || call.method !== 'chat.postMessage') continue;
          const metadata = call.args.metadata as
            | { event_payload?: Record<string, unknown> }
            | undefined;
          const id = String(metadata?.event_payload?.request_id ?? '');
          if (pending.has(id) && isResultOf(call, id)) {
            pending.delete(id);
            lastResultAt = call.at;
            resultTimes.push(call.at - startedAtMs);
          } else if (untold.has(id) && isOutcomeDmOf(call, dm, id)) {
            untold.delete(id);
            lastToldAt = call.at;
          }
        }
        const stalled = performance.now() - progressAt > STALL_MS;
        if (stalled) progress(`no Slack call from the bot for ${STALL_MS / 1000} s; giving up`);
        return (pending.size === 0 && untold.size === 0) || stalled;
      },
      BULK_LIMIT_MS,
      25,
    );
  } catch (error) {
    progress(String(error));
  }
  const cpuTo = cpuSnapshot(bot.pid);
  const sortedResults = [...resultTimes].sort((a, b) => a - b);
  const creates = byStart(cognito.calls.filter((call) => call.operation === 'AdminCreateUser'));
  const awsCalls = dynamo.calls.length + cognito.calls.length;
  await quiet(proxies);
  const store = new RequestStore(deployment.clients.documents, deployment.tables.bot);
  let succeeded = 0;
  let failed = 0;
  const unfinishedStatuses: Record<string, number> = {};
  await eachLimited(filed, 16, async (request) => {
    const stored = await store.get(request.id);
    if (stored?.status === 'succeeded') succeeded += 1;
    else if (stored?.status === 'failed') failed += 1;
    else {
      const status = stored?.status ?? 'missing';
      unfinishedStatuses[status] = (unfinishedStatuses[status] ?? 0) + 1;
    }
  });
  // call.at is Date.now() at the stand-in: milliseconds, on the wall clock.
  const ms = lastResultAt - startedAtMs;
  return {
    requests: filed.length,
    ms,
    perSecond: pending.size === 0 ? (filed.length / ms) * 1000 : Number.NaN,
    allToldMs: untold.size === 0 ? lastToldAt - startedAtMs : Number.NaN,
    clicksSentMs,
    clickStatusNot200,
    succeeded,
    failed,
    unfinished: filed.length - succeeded - failed,
    unfinishedStatuses,
    awsCalls,
    slackCalls: slack.calls.length - firstCall,
    maxInFlight: { dynamo: maxInFlight(dynamo.calls), cognito: maxInFlight(cognito.calls) },
    cognitoMostPerSecond: mostInOneSecond(cognito.calls),
    resultsAtMs: {
      p10: percentile(sortedResults, 10),
      p50: percentile(sortedResults, 50),
      p90: percentile(sortedResults, 90),
      last: sortedResults.at(-1) ?? Number.NaN,
    },
    createsAtMs: {
      first: (creates[0]?.startedAt ?? Number.NaN) - startedAt,
      last: (creates.at(-1)?.startedAt ?? Number.NaN) - startedAt,
    },
    dynamoMeanMs:
      dynamo.calls.reduce((sum, call) => sum + call.endedAt - call.startedAt, 0) /
      dynamo.calls.length,
    cpu: cpuFrom && cpuTo ? cpuBetween(cpuFrom, cpuTo) : undefined,
  };
}

// The Cognito and DynamoDB calls of one approved onboarding up to its result, in the bot's
// order: the click reads the request and the approver's identity (src/commands/
// requests.commands.ts) and decides on that read; every change after it is a conditional write
// on the request as the bot last wrote it (src/workflow/request-updates.ts), with the audit
// lines in the same transaction. The claim counts the approver's roles the click read.
const FLOOR_OPERATIONS = [
  ...['GetItem', 'GetItem', 'Query'], // at once: the request, the approver's link and roles
  'TransactWriteItems', // the approval
  'PutItem', // the notices of the approval sent
  'TransactWriteItems', // the claim
  ...['PutItem', 'AdminGetUser', 'AdminCreateUser', 'TransactWriteItems'], // cognito-create
  ...['PutItem', 'PutItem', 'TransactWriteItems'], // role:viewer
  'TransactWriteItems', // succeeded
];

/** The same calls straight from the SDK, for fresh users, all at once. */
async function floorRun(
  context: BenchContext,
  deployment: TestDeployment,
  template: Record<string, unknown>,
  users: number,
  cognitoPerSecond?: number,
): Promise<FloorRun> {
  // As the bot's Cognito gateway does it, when asked: a call that changes a user waits for its
  // turn; reads do not.
  const pace = cognitoPerSecond === undefined ? undefined : new CallPace(cognitoPerSecond);
  // Made as the bot's are (src/aws/aws-clients.ts: 50 sockets each, 3 attempts) but for the 3 s
  // connection timeout, which counts the wait for a free socket: every user here starts in the
  // same instant, and their first calls queue longer than that for one.
  const common = {
    region: deployment.env.AWS_REGION ?? 'us-east-1',
    maxAttempts: 3,
    requestHandler: { requestTimeout: 15_000 },
  };
  const dynamo = new DynamoDBClient({ ...common, endpoint: context.services.dynamoEndpoint });
  const documents = DynamoDBDocumentClient.from(dynamo, {
    marshallOptions: { removeUndefinedValues: true },
  });
  const cognito = new CognitoIdentityProviderClient({
    ...common,
    endpoint: context.services.cognitoEndpoint,
  });
  const { bot: botTable, userRoles } = deployment.tables;
  const stamp = randomBytes(3).toString('hex');
  const people = Array.from({ length: users }, (_, index) => {
    const id = `F${stamp.toUpperCase()}${String(index).padStart(5, '0')}`;
    return { id, userId: `floor-${stamp}-${String(index).padStart(5, '0')}`, version: 0 };
  });
  const itemOf = (person: (typeof people)[number]) => ({
    ...template,
    pk: `REQ#${person.id}`,
    id: person.id,
    subject: person.userId,
    version: person.version,
  });
  // The requests exist before the clicks, as filed ones do.
  await eachLimited(people, 16, async (person) => {
    person.version = Number(template.version);
    await documents.send(new PutCommand({ TableName: botTable, Item: itemOf(person) }));
  });
  const key = (person: (typeof people)[number]) => ({ pk: `REQ#${person.id}`, sk: 'REQ' });
  const get = (person: (typeof people)[number]) =>
    documents.send(new GetCommand({ TableName: botTable, Key: key(person), ConsistentRead: true }));
  const versioned = (person: (typeof people)[number]) => {
    person.version += 1;
    return {
      TableName: botTable,
      Item: itemOf(person),
      ConditionExpression: 'version = :expected',
      ExpressionAttributeValues: { ':expected': person.version - 1 },
    };
  };
  const put = (person: (typeof people)[number]) =>
    documents.send(new PutCommand(versioned(person)));
  const putWithAudit = (person: (typeof people)[number], type: string) => {
    const at = new Date().toISOString();
    return documents.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: versioned(person) },
          {
            Put: {
              TableName: botTable,
              Item: {
                pk: `REQ#${person.id}`,
                sk: `EVT#${at}#${randomBytes(4).toString('hex')}`,
                entity: 'audit',
                requestId: person.id,
                at,
                type,
                actor: APPROVER.email,
                detail: { slackUserId: APPROVER.slackUserId },
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        ],
      }),
    );
  };
  const approverRoles = () =>
    documents.send(
      new QueryCommand({
        TableName: userRoles,
        KeyConditionExpression: 'userId = :userId',
        ExpressionAttributeValues: { ':userId': APPROVER.email },
        ConsistentRead: true,
      }),
    );
  const approverLink = () =>
    documents.send(
      new GetCommand({
        TableName: botTable,
        Key: { pk: `LINK#${APPROVER.slackUserId}`, sk: 'LINK' },
        ConsistentRead: true,
      }),
    );
  const onboard = async (person: (typeof people)[number]) => {
    await Promise.all([get(person), approverLink(), approverRoles()]);
    await putWithAudit(person, 'approved');
    await put(person);
    await putWithAudit(person, 'execution-started');
    await put(person);
    try {
      await cognito.send(
        new AdminGetUserCommand({ UserPoolId: deployment.userPoolId, Username: person.userId }),
      );
      throw new Error(`${person.userId} is in the pool already`);
    } catch (error) {
      if (!(error instanceof UserNotFoundException)) throw error;
    }
    await pace?.turn();
    await cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: deployment.userPoolId,
        Username: person.userId,
        UserAttributes: [
          { Name: 'email', Value: `${person.userId}@example.com` },
          { Name: 'email_verified', Value: 'true' },
        ],
        DesiredDeliveryMediums: ['EMAIL'],
      }),
    );
    await putWithAudit(person, 'step-done');
    await put(person);
    await documents.send(
      new PutCommand({
        TableName: userRoles,
        Item: { userId: person.userId, roleName: ROLE, createdOn: userRoleTimestamp(new Date()) },
        ConditionExpression: 'attribute_not_exists(roleName)',
      }),
    );
    await putWithAudit(person, 'step-done');
    await putWithAudit(person, 'succeeded');
  };
  const failures: string[] = [];
  const cpuFrom = cpuSnapshot();
  const startedAt = performance.now();
  await Promise.all(
    people.map((person) =>
      onboard(person).catch((error: unknown) => {
        failures.push(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
      }),
    ),
  );
  const ms = performance.now() - startedAt;
  const cpuTo = cpuSnapshot();
  dynamo.destroy();
  cognito.destroy();
  return {
    users,
    concurrency: users,
    ms,
    perSecond: ((users - failures.length) / ms) * 1000,
    failures: failures.length,
    failureSamples: failures.slice(0, 3),
    cpu: cpuFrom && cpuTo ? cpuBetween(cpuFrom, cpuTo) : undefined,
  };
}

function cpuRow(name: string, cpu: CpuSplit | undefined, count: number): string[] {
  if (!cpu) return [name, '-', '-', '-', '-'];
  return [
    name,
    fixed(cpu.serverProcessMs / count),
    fixed(cpu.benchProcessMs / count),
    fixed(cpu.emulatorsMs / count),
    `${fixed(cpu.othersMs / count)} (${Math.round(cpu.othersShare * 100)} % of the CPUs)`,
  ];
}

function statsRow(name: string, stats: LatencyStats): string[] {
  return [name, fixed(stats.p50), fixed(stats.p99), fixed(stats.max)];
}

export const scenario: Scenario<OnboardingFigures> = {
  name: 'onboarding',
  summary: `approved onboarding: click → result one at a time (bot's own share), and ${BULK} approved at once against a direct-SDK floor`,
  needsBuild: true,
  needsServices: true,
  async run(context) {
    const slack = await SlackStandIn.start();
    const deployment = await createTestDeployment();
    const dynamo = await startAwsProxy({ target: context.services.dynamoEndpoint });
    const cognito = await startAwsProxy({ target: context.services.cognitoEndpoint });
    const slackOrigin = new URL(slack.apiUrl).origin;
    const slackProxy = await startAwsProxy({ target: slackOrigin });
    let bot: BotProcess | undefined;
    try {
      await deployment.addRole(ROLE);
      for (const person of [REQUESTER, APPROVER]) {
        await deployment.addVamsUser(person.email, ['admin']);
        slack.addUser({ id: person.slackUserId, email: person.email, emailConfirmed: true });
      }
      bot = await startBotProcess(context.services, deployment, slack, {
        env: {
          AWS_ENDPOINT_URL_DYNAMODB: dynamo.url,
          AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: cognito.url,
          SLACK_API_URL: `${slackProxy.url}/api/`,
        },
        ...(PROFILE_DIR ? { nodeOptions: ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] } : {}),
      });
      const warnings = watchWarnings(bot);

      // 1. One at a time.
      context.progress(`filing ${WARM_UP + TIMED} onboardings for the timed approvals`);
      const stamp = randomBytes(3).toString('hex');
      const oneByOne = Array.from(
        { length: WARM_UP + TIMED },
        (_, index) => `solo-${stamp}-${String(index).padStart(3, '0')}`,
      );
      const solo = await fileOnboardings(bot, slack, oneByOne);
      const soloFiled = solo.filed;
      const template = (
        await deployment.clients.documents.send(
          new GetCommand({
            TableName: deployment.tables.bot,
            Key: { pk: `REQ#${soloFiled.get(oneByOne[0] as string)?.id}`, sk: 'REQ' },
            ConsistentRead: true,
          }),
        )
      ).Item;
      if (!template) throw new Error('the first filed request is not in the bot table');
      context.progress(`approving ${WARM_UP} + ${TIMED} one at a time`);
      const timed: TimedApproval[] = [];
      let latencyFailures = 0;
      // With a profile: where the approvals one at a time begin and end on its clock.
      if (PROFILE_DIR) context.progress(`approvals from ${process.hrtime.bigint() / 1000n} µs`);
      const timedCpuFrom = cpuSnapshot(bot.pid);
      for (const [index, userId] of oneByOne.entries()) {
        try {
          const approval = await timedApproval(bot, slack, soloFiled.get(userId) as Filed, {
            dynamo,
            cognito,
            slack: slackProxy,
          });
          if (index >= WARM_UP) timed.push(approval);
        } catch (error) {
          latencyFailures += 1;
          context.progress(`approval of ${userId} failed: ${String(error)}`);
        }
      }
      if (PROFILE_DIR) context.progress(`approvals to ${process.hrtime.bigint() / 1000n} µs`);
      const timedCpuTo = cpuSnapshot(bot.pid);
      const timedCpu =
        timedCpuFrom && timedCpuTo ? cpuBetween(timedCpuFrom, timedCpuTo) : undefined;
      const operations = mostCommon(timed.map((approval) => approval.operations));
      const slackMethods = mostCommon(timed.map((approval) => approval.slackMethods));
      const approvalsWithOtherCalls = timed.filter(
        (approval) => approval.operations.join(' ') !== operations.join(' '),
      ).length;

      // 2. Many at once.
      context.progress(`filing ${BULK} onboardings`);
      const bulkIds = Array.from(
        { length: BULK },
        (_, index) => `bulk-${stamp}-${String(index).padStart(4, '0')}`,
      );
      const bulkFiling = await fileOnboardings(bot, slack, bulkIds);
      const bulkFiled = bulkFiling.filed;
      const bulk = await bulkApproval(
        bot,
        slack,
        deployment,
        bulkIds.map((userId) => bulkFiled.get(userId) as Filed),
        { dynamo, cognito, slack: slackProxy },
        context.progress,
      );
      const botLogLinesWithSecrets = bot.log.linesWithSecrets;
      await bot.stop();
      bot = undefined;

      context.progress(`the floor: the same calls from the SDK for ${BULK} users at once`);
      const floor = await floorRun(context, deployment, template, BULK);
      // The bot's own setting, as it read it from the same environment.
      const settings = loadConfig({
        ...deployment.env,
        SLACK_BOT_TOKEN: STANDIN_TOKEN,
        SLACK_SIGNING_SECRET: 'unused',
        APPROVAL_CHANNEL_ID: APPROVAL_CHANNEL,
      });
      if (!settings.ok) throw new Error(`the bot's settings: ${settings.problems.join('; ')}`);
      const cognitoPerSecond = settings.config.cognitoCallsPerSecond;
      context.progress(
        `the floor again, creating Cognito users at the bot's pace (${cognitoPerSecond}/s)`,
      );
      const pacedFloor = await floorRun(context, deployment, template, BULK, cognitoPerSecond);
      const floorMatchesBot = operations.join(' ') === FLOOR_OPERATIONS.join(' ');

      const latency = {
        total: latencyStats(timed.map((approval) => approval.totalMs)),
        ownShare: latencyStats(timed.map((approval) => approval.totalMs - approval.awsMs)),
        aws: latencyStats(timed.map((approval) => approval.awsMs)),
        slack: latencyStats(timed.map((approval) => approval.slackMs)),
        ownShareWithoutSlack: latencyStats(
          timed.map((approval) => approval.totalMs - approval.awsOrSlackMs),
        ),
        longestGap: latencyStats(timed.map((approval) => approval.longestGapMs)),
      };
      const botVsFloor = (bulk.perSecond / floor.perSecond) * 100;
      const bulkFailures = bulk.clickStatusNot200 + bulk.failed + bulk.unfinished;
      const figures: OnboardingFigures = {
        timedApprovals: timed.length,
        warmUp: WARM_UP,
        latency,
        operations,
        approvalsWithOtherCalls,
        timedCpu,
        slackMethods,
        floorMatchesBot,
        bulk,
        floor,
        pacedFloor: { ...pacedFloor, cognitoPerSecond },
        botVsFloor,
        failures: {
          latencyPhase: latencyFailures,
          bulk: bulkFailures,
          floor: floor.failures + pacedFloor.failures,
        },
        botLogLinesWithSecrets,
        filingRetries: solo.retries + bulkFiling.retries,
        botWarnings: Object.fromEntries(warnings),
      };

      const lines = [
        `  Approve click → result in the request's thread, one at a time (${timed.length} after ${WARM_UP} warm-up), ms:`,
        ...table(
          ['', 'p50', 'p99', 'max'],
          [
            statsRow('click → result', latency.total),
            statsRow('Cognito + DynamoDB calls (time covered)', latency.aws),
            statsRow("bot's own share (the rest)", latency.ownShare),
            statsRow('Slack Web API calls (time covered, at the stand-in)', latency.slack),
            statsRow("bot's own share without Slack's", latency.ownShareWithoutSlack),
            statsRow('  of which its longest stretch with no call out', latency.longestGap),
          ],
        ),
        `  AWS calls per approval up to its result (${operations.length}): ${operations.join(', ')}${approvalsWithOtherCalls > 0 ? ` (${approvalsWithOtherCalls} approvals differed)` : ''}`,
        `  Slack calls in that time (${slackMethods.length}): ${slackMethods.join(', ')}; Slack time is counted at a recording proxy in front of the stand-in, from each Web API call's arrival to the stand-in's answer (the bot posts to no response_url on an approval)`,
        '',
        `  ${BULK} onboardings approved at once:`,
        ...table(
          ['', 'requests', 'ms', 'per s', 'failures'],
          [
            [
              'bot: first click → last result',
              String(bulk.requests),
              fixed(bulk.ms, 0),
              fixed(bulk.perSecond),
              String(bulkFailures),
            ],
            [
              'bot: first click → last requester told',
              String(bulk.requests),
              fixed(bulk.allToldMs, 0),
              fixed((bulk.requests / bulk.allToldMs) * 1000),
              '',
            ],
            [
              `floor: the same AWS calls from the SDK, ${floor.concurrency} at once`,
              String(floor.users),
              fixed(floor.ms, 0),
              fixed(floor.perSecond),
              String(floor.failures),
            ],
            [
              `the floor, Cognito users created at the bot's pace (${cognitoPerSecond}/s)`,
              String(pacedFloor.users),
              fixed(pacedFloor.ms, 0),
              fixed(pacedFloor.perSecond),
              String(pacedFloor.failures),
            ],
          ],
        ),
        '',
        '  CPU time, ms per onboarding (bench: the driver, the stand-in, the proxies; the floor runs there):',
        ...table(
          ['', 'bot', 'bench', 'emulators', 'other work on the machine'],
          [
            cpuRow('one at a time', timedCpu, oneByOne.length),
            cpuRow(`${BULK} at once, bot`, bulk.cpu, bulk.requests),
            cpuRow(`${BULK} at once, floor`, floor.cpu, floor.users),
            cpuRow(`${BULK} at once, floor at the Cognito pace`, pacedFloor.cpu, pacedFloor.users),
          ],
        ),
        `  bot ÷ floor: ${fixed(botVsFloor, 0)} % (÷ the floor at the bot's Cognito pace: ${fixed((bulk.perSecond / pacedFloor.perSecond) * 100, 0)} %); ${BULK} clicks sent in ${fixed(bulk.clicksSentMs, 0)} ms; ${bulk.succeeded} succeeded, ${bulk.failed} failed, ${bulk.unfinished} unfinished; ${bulk.awsCalls} AWS calls, ${bulk.slackCalls} Slack calls`,
        `  The bot runs at most ${DEFAULT_TUNING.runsAtOnce} approved requests at once (the rest wait their turn); at most ${bulk.maxInFlight.dynamo} DynamoDB and ${bulk.maxInFlight.cognito} Cognito calls were in flight at once`,
        `  Results came ${fixed(bulk.resultsAtMs.p10 / 1000)} / ${fixed(bulk.resultsAtMs.p50 / 1000)} / ${fixed(bulk.resultsAtMs.p90 / 1000)} / ${fixed(bulk.resultsAtMs.last / 1000)} s after the first click (10 % / half / 90 % / all); the bot created Cognito users from ${fixed(bulk.createsAtMs.first / 1000)} s to ${fixed(bulk.createsAtMs.last / 1000)} s`,
        `  (the SDK's 50 sockets per client; the floor's clients have the same, without the bot's 3 s limit on waiting for one), a DynamoDB call took ${fixed(bulk.dynamoMeanMs)} ms on average at the emulator, at most ${bulk.cognitoMostPerSecond} Cognito calls started in one second`,
        ...(bulk.unfinished > 0
          ? [
              `  Unfinished, by status in the bot table: ${Object.entries(bulk.unfinishedStatuses)
                .map(([status, count]) => `${status} ${count}`)
                .join(', ')}`,
            ]
          : []),
        `  The bot's warnings and errors: ${
          warnings.size === 0
            ? 'none'
            : [...warnings.entries()]
                .sort((a, b) => b[1] - a[1])
                .slice(0, 8)
                .map(([what, count]) => `${what} × ${count}`)
                .join('; ')
        }`,
        `  Filing: ${BULK + oneByOne.length} onboardings through the modal, ${solo.retries + bulkFiling.retries} commands run again for want of a modal; bot log lines with a secret: ${botLogLinesWithSecrets}`,
      ];
      const throughput = check(
        `onboarding: ${BULK} approved at once, bot ÷ direct-SDK floor`,
        botVsFloor,
        BUDGET_FLOOR_SHARE,
        '%',
        {
          direction: 'min',
          ...(floorMatchesBot
            ? {}
            : {
                note: `the floor's calls (${FLOOR_OPERATIONS.join(', ')}) are not the bot's (${operations.join(', ')})`,
              }),
        },
      );
      const checks: BudgetCheck[] = [
        check(
          "onboarding: bot's own share of click → result, p50",
          latency.ownShare.p50,
          BUDGET_OWN_P50_MS,
          'ms',
          {
            note: `p99 ${fixed(latency.ownShare.p99)} ms; click → result p50 ${fixed(latency.total.p50)} ms, of which Cognito and DynamoDB ${fixed(latency.aws.p50)} ms, Slack ${fixed(latency.slack.p50)} ms, and the longest stretch with no call out ${fixed(latency.longestGap.p50)} ms`,
          },
        ),
        floorMatchesBot ? throughput : { ...throughput, pass: false },
        check(
          'onboarding: failed or unfinished onboardings',
          latencyFailures + bulkFailures,
          0,
          'requests',
          {
            note: `one at a time ${latencyFailures}, ${BULK} at once ${bulkFailures}; the floors ${floor.failures} and ${pacedFloor.failures}${[...floor.failureSamples, ...pacedFloor.failureSamples].length > 0 ? ` (${[...floor.failureSamples, ...pacedFloor.failureSamples].join('; ')})` : ''}`,
          },
        ),
      ];
      return { figures, lines, checks };
    } finally {
      await bot?.stop();
      await Promise.all([dynamo.stop(), cognito.stop(), slackProxy.stop()]);
      await slack.stop();
      deployment.destroy();
    }
  },
};
