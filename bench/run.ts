import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  freePort,
  type LocalServices,
  sdkEnvironment,
  startLocalServices,
} from '../src/backend/local-services';
import { EVENTS_PATH, HEALTH_PATH } from '../src/slack/slack-runtime';
import { SlackDriver } from '../test/support/slack-driver';
import { SlackStandIn } from '../test/support/slack-standin';
import { APPROVAL_CHANNEL } from '../test/support/test-bot';
import { createTestDeployment, type TestDeployment } from '../test/support/vams-deployment';
import {
  answers,
  baseEnvironment,
  ROOT,
  residentMb,
  type Spawned,
  type Stopped,
  spawnNode,
  stopProcess,
  waitUntilReady,
} from './child-process';
import { cpuBetween, cpuSnapshot } from './cpu-usage';
import { type OpenLoopResult, runOpenLoop } from './open-loop';
import {
  type BenchResults,
  budgetChecks,
  formatReport,
  type LoadRun,
  type MemoryMoment,
  type ServerFigures,
  type StartUpFigures,
  type UserListFigures,
} from './report';
import { COMPILED_ARGS, NPM_START_ARGS, type StartUpRun, timeStartUp } from './start-up';
import { latencyStats, median } from './stats';
import {
  firstPageProblem,
  SEED_CONCURRENCY,
  SEEDED_PREFIX,
  SEEDED_USERS,
  seedUserPool,
  timeDirectListUsers,
  timeUserList,
} from './user-list';

const RATE_PER_SECOND = 100;
const LOAD_MS = 10_000;
const WARM_UP_MS = 1_000;
const REPLY_TIMEOUT_MS = 10_000;
const AWS_START_UP_RUNS = 5;
const AWS_START_UP_LIMIT_MS = 15_000;
const LOCAL_START_UP_LIMIT_MS = 40_000;
// Everything, emulators included, is gone by then whatever hangs. A run takes about 2.5 min on a
// 2-core machine, about 1 min of it seeding the 10,000-user pool for `user list`.
const HARD_LIMIT_MS = 8 * 60_000;
const RESULTS_FILE = resolve(__dirname, 'results.json');
// How often the bot's resident memory is read during warm-up and load, for its peak.
const RSS_SAMPLE_MS = 100;
// The bare Bolt app runs through tsx: only its steady state is timed, not its start-up.
const BARE_BOLT_ARGS = ['--import', 'tsx', 'bench/bare-bolt-process.ts'];
const BARE_BOLT_START_LIMIT_MS = 15_000;
// `/vams user list`, one at a time: a person paging, not a load.
const USER_LIST_WARM_UP_RUNS = 3;
const USER_LIST_RUNS = 30;
const USER_LIST_PREFIX = `${SEEDED_PREFIX}09`;

const BENCH_USER = 'U0BENCH';
const BENCH_EMAIL = 'bench@example.com';
const STANDIN_TOKEN = 'xoxb-local-standin';

function progress(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

/** global.gc under --expose-gc; otherwise V8's flag set at run time, which works on Node 20. */
function findGc(): { collect: () => void; how: string } {
  if (typeof global.gc === 'function') {
    const gc = global.gc;
    return { collect: () => gc(), how: '--expose-gc' };
  }
  setFlagsFromString('--expose-gc');
  const gc: unknown = runInNewContext('gc');
  if (typeof gc === 'function') return { collect: () => gc(), how: 'v8.setFlagsFromString' };
  return { collect: () => undefined, how: 'unavailable (figures include garbage)' };
}

/**
 * The bot process's resident memory as the kernel counts it, which is all that can be read from
 * outside; and, for reference only, the bench process's own after a GC.
 */
async function memoryNow(botPid: number | undefined, collect: () => void): Promise<MemoryMoment> {
  const botRssMb = residentMb(botPid) ?? Number.NaN;
  collect();
  await sleep(50);
  collect();
  const usage = process.memoryUsage();
  return { botRssMb, benchRssMb: usage.rss / 2 ** 20, benchHeapUsedMb: usage.heapUsed / 2 ** 20 };
}

/** Reads a process's RSS every few milliseconds until stopped; the highest reading. */
function rssPeak(pid: number | undefined): { stop(): number } {
  let peak = residentMb(pid) ?? Number.NaN;
  const timer = setInterval(() => {
    const now = residentMb(pid);
    if (now !== undefined && !(now <= peak)) peak = now;
  }, RSS_SAMPLE_MS);
  return {
    stop: () => {
      clearInterval(timer);
      const last = residentMb(pid);
      return last !== undefined && !(last <= peak) ? last : peak;
    },
  };
}

function awsEnvironment(services: LocalServices, deployment: TestDeployment) {
  return { ...sdkEnvironment(services), ...deployment.env };
}

function slackEnvironment(slack: SlackStandIn, signingSecret: string) {
  return {
    SLACK_BOT_TOKEN: STANDIN_TOKEN,
    SLACK_API_URL: slack.apiUrl,
    SLACK_SIGNING_SECRET: signingSecret,
    APPROVAL_CHANNEL_ID: APPROVAL_CHANNEL,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

/** A server under load, in a process of its own. */
interface ServerProcess {
  pid: number | undefined;
  driver: SlackDriver;
  stop(): Promise<Stopped>;
}

async function startServerProcess(
  what: string,
  spawnServer: (port: number) => Spawned,
  readyPath: string,
  readyStatus: number | undefined,
  withinMs: number,
  driverFor: (eventsUrl: string) => SlackDriver,
): Promise<ServerProcess> {
  const port = await freePort();
  const started = performance.now();
  const server = spawnServer(port);
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await waitUntilReady(
      what,
      server,
      () => answers(`${baseUrl}${readyPath}`, readyStatus),
      started,
      withinMs,
    );
  } catch (error) {
    await stopProcess(server.child);
    throw error;
  }
  return {
    pid: server.child.pid,
    driver: driverFor(`${baseUrl}${EVENTS_PATH}`),
    stop: () => stopProcess(server.child),
  };
}

/** What the bot wrote to stdout: its log lines, counted, and any that carry a secret. */
class BotLog {
  lines = 0;
  linesWithSecrets = 0;
  private readonly secrets: string[];

  constructor(secrets: string[]) {
    this.secrets = secrets;
  }

  read(line: string): void {
    if (line === '') return;
    this.lines += 1;
    if (this.secrets.some((secret) => line.includes(secret))) this.linesWithSecrets += 1;
  }
}

/**
 * The bot as production runs it, compiled (`npm run build`, `node dist/app.js`), against a fresh
 * deployment on the emulators and the stand-in, at the production log level.
 */
async function startBotProcess(
  services: LocalServices,
  deployment: TestDeployment,
  slack: SlackStandIn,
): Promise<ServerProcess & { log: BotLog }> {
  const signingSecret = randomBytes(16).toString('hex');
  const log = new BotLog([signingSecret, STANDIN_TOKEN]);
  const env = {
    ...baseEnvironment(),
    ...awsEnvironment(services, deployment),
    ...slackEnvironment(slack, signingSecret),
    LOG_LEVEL: 'info',
  };
  const server = await startServerProcess(
    'the bot',
    (port) => spawnNode(COMPILED_ARGS, { ...env, PORT: String(port) }, (line) => log.read(line)),
    HEALTH_PATH,
    200,
    AWS_START_UP_LIMIT_MS,
    (eventsUrl) => new SlackDriver({ eventsUrl, signingSecret, slack }),
  );
  return { ...server, log };
}

/** The bare Bolt app in a process of its own, configured like the bot. */
function startBareBoltProcess(slack: SlackStandIn): Promise<ServerProcess> {
  const signingSecret = randomBytes(16).toString('hex');
  const env = {
    ...baseEnvironment(),
    SLACK_SIGNING_SECRET: signingSecret,
    SLACK_API_URL: slack.apiUrl,
    EVENTS_PATH,
  };
  // It has no health endpoint: any answer on the events path (a 404 to GET) means it serves.
  return startServerProcess(
    'the bare Bolt app',
    (port) => spawnNode(BARE_BOLT_ARGS, { ...env, PORT: String(port) }),
    EVENTS_PATH,
    undefined,
    BARE_BOLT_START_LIMIT_MS,
    (eventsUrl) => new SlackDriver({ eventsUrl, signingSecret, slack }),
  );
}

/**
 * A slash command as Slack sends it. None of these opens a view, so the trigger is a constant;
 * each registers a response_url with the stand-in, which keeps it and the reply forever: that
 * memory is the bench process's, not the bot's.
 */
function slashCommand(slack: SlackStandIn, text: 'help' | 'whoami' | `user list${string}`) {
  const responseUrl = slack.newResponseUrl();
  const body = new URLSearchParams({
    token: 'bench-verification-token',
    team_id: slack.teamId,
    team_domain: 'local-standin',
    channel_id: 'C0GENERAL',
    channel_name: 'general',
    user_id: BENCH_USER,
    user_name: 'bench',
    command: '/vams',
    text,
    api_app_id: slack.appId,
    is_enterprise_install: 'false',
    response_url: responseUrl,
    trigger_id: '1234567890.1.bench',
  }).toString();
  return { body, responseUrl };
}

async function acked(driver: SlackDriver, body: string): Promise<void> {
  const answer = await driver.sendSigned(body);
  if (answer.status !== 200) throw new Error(`ack answered HTTP ${answer.status}`);
}

/**
 * `/vams help`: both acks are empty (the bot replies with the commands the asker may use once
 * it knows who asks); what is measured is the ack.
 */
function helpLoad(driver: SlackDriver, slack: SlackStandIn, durationMs: number) {
  return runOpenLoop({
    ratePerSecond: RATE_PER_SECOND,
    durationMs,
    send: async () => {
      const { body } = slashCommand(slack, 'help');
      const answer = await driver.sendSigned(body);
      if (answer.status !== 200) throw new Error(`help answered HTTP ${answer.status}`);
      if (answer.text !== '') {
        throw new Error(`help ack is not empty: ${answer.text.slice(0, 120)}`);
      }
    },
  });
}

interface WhoamiLoad {
  ack: OpenLoopResult;
  replyMs: number[];
  replyErrors: string[];
}

async function whoamiLoad(
  driver: SlackDriver,
  slack: SlackStandIn,
  durationMs: number,
): Promise<WhoamiLoad> {
  const replyMs: number[] = [];
  const replyErrors: string[] = [];
  const replies: Promise<void>[] = [];
  const ack = await runOpenLoop({
    ratePerSecond: RATE_PER_SECOND,
    durationMs,
    send: async () => {
      const { body, responseUrl } = slashCommand(slack, 'whoami');
      const sentAt = performance.now();
      // Waiting from before the send: a reply recorded early is still timed from its request.
      const reply = slack.waitForCall(
        'response_url',
        (call) => call.args.url === responseUrl,
        REPLY_TIMEOUT_MS,
      );
      replies.push(
        reply.then(
          (call) => {
            if (!call.ok) replyErrors.push(`the stand-in refused the reply: ${call.error}`);
            else if (!JSON.stringify(call.args).includes('`admin`')) {
              replyErrors.push('the reply does not show the admin role');
            } else replyMs.push(performance.now() - sentAt);
          },
          (error: unknown) => {
            replyErrors.push(error instanceof Error ? error.message.slice(0, 160) : String(error));
          },
        ),
      );
      await acked(driver, body);
    },
  });
  await Promise.all(replies);
  return { ack, replyMs, replyErrors };
}

type LoadFigures = Pick<
  BenchResults,
  'ack' | 'whoamiReply' | 'botLogLinesDuringLoad' | 'memory'
> & {
  servers: Omit<BenchResults['servers'], 'userListBot'>;
};

/**
 * Runs one load against the server process `serverPid` and notes how busy the bench's event
 * loop and the CPUs were meanwhile.
 */
async function measured<T extends { ack: OpenLoopResult }>(
  serverPid: number | undefined,
  load: () => Promise<T>,
): Promise<{ value: T; run: LoadRun }> {
  const loopBefore = performance.eventLoopUtilization();
  const cpuBefore = cpuSnapshot(serverPid);
  const value = await load();
  const cpuAfter = cpuSnapshot(serverPid);
  const eventLoopBusy = performance.eventLoopUtilization(loopBefore).utilization;
  const cpu = cpuBefore && cpuAfter ? cpuBetween(cpuBefore, cpuAfter) : undefined;
  return { value, run: { result: value.ack, eventLoopBusy, cpu } };
}

async function measureLoad(services: LocalServices, collect: () => void): Promise<LoadFigures> {
  const slack = await SlackStandIn.start();
  const deployment = await createTestDeployment();
  let botHelp: LoadRun;
  let botWhoami: { value: WhoamiLoad; run: LoadRun };
  let memory: LoadFigures['memory'];
  let logLines: number;
  let linesWithSecrets: number;
  let botStopped: Stopped;
  try {
    await deployment.addVamsUser(BENCH_EMAIL, ['admin']);
    slack.addUser({ id: BENCH_USER, name: 'bench', email: BENCH_EMAIL, emailConfirmed: true });
    progress('bot: starting node dist/app.js');
    const bot = await startBotProcess(services, deployment, slack);
    try {
      const beforeLoad = await memoryNow(bot.pid, collect);
      const peak = rssPeak(bot.pid);
      progress('bot: warm-up, /vams help and /vams whoami');
      await helpLoad(bot.driver, slack, WARM_UP_MS);
      await whoamiLoad(bot.driver, slack, WARM_UP_MS);
      const afterWarmUp = await memoryNow(bot.pid, collect);
      const logsBefore = bot.log.lines;
      progress(`bot: /vams help, ${LOAD_MS / 1000} s`);
      const help = () => helpLoad(bot.driver, slack, LOAD_MS);
      botHelp = (await measured(bot.pid, async () => ({ ack: await help() }))).run;
      progress(`bot: /vams whoami, ${LOAD_MS / 1000} s`);
      botWhoami = await measured(bot.pid, () => whoamiLoad(bot.driver, slack, LOAD_MS));
      const botPeakRssMb = peak.stop();
      logLines = bot.log.lines - logsBefore;
      // The stand-in's record of calls belongs to the harness, not to the bot.
      slack.clear();
      memory = {
        beforeLoad,
        afterWarmUp,
        afterLoad: await memoryNow(bot.pid, collect),
        botPeakRssMb,
      };
    } finally {
      botStopped = await bot.stop();
    }
    linesWithSecrets = bot.log.linesWithSecrets;
  } finally {
    deployment.destroy();
    await slack.stop();
  }

  progress(`bare Bolt app: starting it, warm-up, then /vams, ${LOAD_MS / 1000} s`);
  const bareSlack = await SlackStandIn.start();
  let bareBolt: LoadRun;
  let bareStopped: Stopped;
  try {
    const bare = await startBareBoltProcess(bareSlack);
    try {
      await helpLoad(bare.driver, bareSlack, WARM_UP_MS);
      const help = () => helpLoad(bare.driver, bareSlack, LOAD_MS);
      bareBolt = (await measured(bare.pid, async () => ({ ack: await help() }))).run;
    } finally {
      bareStopped = await bare.stop();
    }
  } finally {
    await bareSlack.stop();
  }

  const whoami = botWhoami.value;
  return {
    ack: {
      botHelp,
      bareBolt,
      botWhoami: botWhoami.run,
      p99RatioHelp: botHelp.result.latency.p99 / bareBolt.result.latency.p99,
      p99RatioWhoami: whoami.ack.latency.p99 / bareBolt.result.latency.p99,
    },
    whoamiReply: {
      errors: whoami.replyErrors.length,
      errorSamples: [...new Set(whoami.replyErrors)].slice(0, 3),
      latency: latencyStats(whoami.replyMs),
    },
    botLogLinesDuringLoad: logLines,
    memory,
    servers: {
      bot: { ...botStopped, logLinesWithSecrets: linesWithSecrets },
      bareBolt: { ...bareStopped, logLinesWithSecrets: 0 },
    },
  };
}

async function userListPhase(
  bot: ServerProcess,
  slack: SlackStandIn,
  deployment: TestDeployment,
): Promise<Omit<UserListFigures, 'poolUsers' | 'seeding'>> {
  const listFirstPage = async (prefix?: string): Promise<number> => {
    const command = slashCommand(slack, prefix === undefined ? 'user list' : `user list ${prefix}`);
    const reply = await timeUserList(bot.driver, slack, command, REPLY_TIMEOUT_MS);
    const problem = firstPageProblem(reply, prefix);
    if (problem !== undefined) throw new Error(problem);
    return reply.ms;
  };
  progress(`user list: ${USER_LIST_WARM_UP_RUNS} warm-up runs, then ${USER_LIST_RUNS} timed`);
  for (let run = 0; run < USER_LIST_WARM_UP_RUNS; run += 1) await listFirstPage();
  const firstPageMs: number[] = [];
  const errors: string[] = [];
  const cpuBefore = cpuSnapshot(bot.pid);
  for (let run = 0; run < USER_LIST_RUNS; run += 1) {
    await listFirstPage().then(
      (ms) => firstPageMs.push(ms),
      (error: unknown) => errors.push(error instanceof Error ? error.message : String(error)),
    );
  }
  const cpuAfter = cpuSnapshot(bot.pid);
  progress(`user list: one run with the prefix ${USER_LIST_PREFIX}`);
  const prefix = await listFirstPage(USER_LIST_PREFIX).then(
    (ms) => ({ prefix: USER_LIST_PREFIX, ms, error: undefined }),
    (error: unknown) => ({
      prefix: USER_LIST_PREFIX,
      ms: Number.NaN,
      error: error instanceof Error ? error.message : String(error),
    }),
  );
  progress('user list: ListUsers straight from the SDK, for comparison');
  const { cognito } = deployment.clients;
  const direct = await timeDirectListUsers(cognito, deployment.userPoolId, USER_LIST_RUNS);
  return {
    warmUpRuns: USER_LIST_WARM_UP_RUNS,
    firstPage: {
      errors: errors.length,
      errorSamples: [...new Set(errors)].slice(0, 3),
      latency: latencyStats(firstPageMs),
    },
    cpu: cpuBefore && cpuAfter ? cpuBetween(cpuBefore, cpuAfter) : undefined,
    prefix,
    directListUsers: latencyStats(direct),
  };
}

/**
 * A fresh deployment whose pool holds SEEDED_USERS Cognito users besides the bench's admin, and
 * a bot of its own listing them; last, so the big pool weighs on no other figure.
 */
async function measureUserList(
  services: LocalServices,
): Promise<{ userList: UserListFigures; stopped: ServerFigures }> {
  const slack = await SlackStandIn.start();
  const deployment = await createTestDeployment();
  try {
    await deployment.addVamsUser(BENCH_EMAIL, ['admin']);
    slack.addUser({ id: BENCH_USER, name: 'bench', email: BENCH_EMAIL, emailConfirmed: true });
    progress(`user list: seeding ${SEEDED_USERS} Cognito users, ${SEED_CONCURRENCY} in flight`);
    const seeding = await seedUserPool(deployment, SEEDED_USERS, SEED_CONCURRENCY, progress);
    progress(`user list: seeded in ${(seeding.ms / 1000).toFixed(1)} s; starting the bot`);
    const bot = await startBotProcess(services, deployment, slack);
    let phase: Omit<UserListFigures, 'poolUsers' | 'seeding'>;
    let stopped: Stopped;
    try {
      phase = await userListPhase(bot, slack, deployment);
    } finally {
      stopped = await bot.stop();
    }
    return {
      userList: { poolUsers: seeding.users + 1, seeding, ...phase },
      stopped: { ...stopped, logLinesWithSecrets: bot.log.linesWithSecrets },
    };
  } finally {
    deployment.destroy();
    await slack.stop();
  }
}

async function startUpFigures(
  runs: number,
  label: string,
  env: Record<string, string>,
  withinMs: number,
  args: readonly string[] = NPM_START_ARGS,
): Promise<StartUpFigures> {
  const results: StartUpRun[] = [];
  const cpuBefore = cpuSnapshot();
  for (let run = 1; run <= runs; run += 1) {
    progress(`start-up, ${label}, run ${run} of ${runs}`);
    results.push(await timeStartUp(env, withinMs, args));
  }
  const cpuAfter = cpuSnapshot();
  const runsMs = results.map((run) => run.healthyMs);
  return {
    runsMs,
    medianMs: median(runsMs),
    stopMs: results.map((run) => run.stopMs),
    exitCodes: results.map((run) => run.exitCode),
    rssMb: results.map((run) => run.rssMb),
    leftovers: results.reduce((sum, run) => sum + run.leftovers, 0),
    cpu: cpuBefore && cpuAfter ? cpuBetween(cpuBefore, cpuAfter) : undefined,
  };
}

async function measureStartUp(services: LocalServices): Promise<BenchResults['startUp']> {
  const slack = await SlackStandIn.start();
  const deployment = await createTestDeployment();
  const slackEnv = slackEnvironment(slack, randomBytes(16).toString('hex'));
  try {
    const awsEnv = { ...awsEnvironment(services, deployment), ...slackEnv };
    const aws = await startUpFigures(
      AWS_START_UP_RUNS,
      'BACKEND=aws',
      awsEnv,
      AWS_START_UP_LIMIT_MS,
    );
    const compiled = await startUpFigures(
      AWS_START_UP_RUNS,
      'BACKEND=aws, compiled',
      awsEnv,
      AWS_START_UP_LIMIT_MS,
      COMPILED_ARGS,
    );
    const local = await startUpFigures(
      1,
      'BACKEND=local (starts its own emulators)',
      { ...slackEnv, BACKEND: 'local' },
      LOCAL_START_UP_LIMIT_MS,
    );
    return { aws, compiled, local };
  } finally {
    deployment.destroy();
    await slack.stop();
  }
}

/** dist/, once: the bot under load and the compiled start-up both run it. */
function build(): void {
  progress('building dist/ (npm run build)');
  execFileSync(
    process.execPath,
    [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
    { cwd: ROOT, stdio: 'inherit' },
  );
}

async function main(): Promise<void> {
  const gc = findGc();
  const loadAverageAtStart = loadavg();
  build();
  progress('starting DynamoDB Local and moto');
  const services = await startLocalServices();
  try {
    // As in the tests: the SDK finds the emulators by itself.
    Object.assign(process.env, sdkEnvironment(services));
    const load = await measureLoad(services, gc.collect);
    const startUp = await measureStartUp(services);
    const { userList, stopped: userListBot } = await measureUserList(services);
    const [cpu] = cpus();
    const figures: Omit<BenchResults, 'budgets'> = {
      generatedAt: new Date().toISOString(),
      machine: {
        cpus: cpus().length,
        cpuModel: cpu?.model.trim() ?? 'unknown CPU',
        node: process.version,
        platform: `${process.platform} ${process.arch}`,
        loadAverageAtStart,
      },
      gc: gc.how,
      load: { ratePerSecond: RATE_PER_SECOND, durationMs: LOAD_MS, warmUpMs: WARM_UP_MS },
      ...load,
      servers: { ...load.servers, userListBot },
      startUp,
      userList,
    };
    const results: BenchResults = { ...figures, budgets: budgetChecks(figures) };
    writeFileSync(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);
    process.stdout.write(formatReport(results));
    process.stdout.write(`\nFigures written to ${RESULTS_FILE}\n`);
  } finally {
    progress('stopping the emulators');
    await services.stop();
  }
}

const hardLimit = setTimeout(() => {
  process.stderr.write(`bench: still running after ${HARD_LIMIT_MS / 1000} s; giving up\n`);
  process.exit(3);
}, HARD_LIMIT_MS);
hardLimit.unref();
// Exit handlers (which kill the emulators, the bot and the bare Bolt app, each with whatever it
// started) only run on a real exit.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => process.exit(130));
}

main().then(
  // Idle keep-alive sockets must not hold the bench open.
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
