import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { type LocalServices, startLocalServices } from '../src/backend/local-services';
import { SlackDriver } from '../test/support/slack-driver';
import { SlackStandIn } from '../test/support/slack-standin';
import { APPROVAL_CHANNEL, startTestBot } from '../test/support/test-bot';
import { createTestDeployment } from '../test/support/vams-deployment';
import { startBareBoltApp } from './bare-bolt-app';
import { cpuBetween, cpuSnapshot } from './cpu-usage';
import { type OpenLoopResult, runOpenLoop } from './open-loop';
import {
  type BenchResults,
  budgetChecks,
  formatReport,
  type LoadRun,
  type MemoryFigures,
  type StartUpFigures,
} from './report';
import { COMPILED_ARGS, NPM_START_ARGS, type StartUpRun, timeStartUp } from './start-up';
import { latencyStats, median } from './stats';

const RATE_PER_SECOND = 100;
const LOAD_MS = 10_000;
const WARM_UP_MS = 1_000;
const REPLY_TIMEOUT_MS = 10_000;
const AWS_START_UP_RUNS = 5;
const AWS_START_UP_LIMIT_MS = 15_000;
const LOCAL_START_UP_LIMIT_MS = 40_000;
// Everything, emulators included, is gone by then whatever hangs; a run takes about 70 s.
const HARD_LIMIT_MS = 4 * 60_000;
const RESULTS_FILE = resolve(__dirname, 'results.json');

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

async function memoryAfterGc(collect: () => void): Promise<MemoryFigures> {
  collect();
  await sleep(50);
  collect();
  const usage = process.memoryUsage();
  return { rssMb: usage.rss / 2 ** 20, heapUsedMb: usage.heapUsed / 2 ** 20 };
}

/**
 * A slash command as Slack sends it. Neither command opens a view, so the trigger is a constant;
 * only whoami answers through its response_url, so only whoami registers one with the stand-in,
 * which keeps both forever: the harness's own memory stays out of the bot's figures.
 */
function slashCommand(slack: SlackStandIn, text: 'help' | 'whoami') {
  const responseUrl =
    text === 'whoami' ? slack.newResponseUrl() : `${slack.apiUrl}unregistered-response-url`;
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

/** `/vams help`; the bot's ack must carry the command list, the bare app's is empty. */
function helpLoad(
  driver: SlackDriver,
  slack: SlackStandIn,
  durationMs: number,
  expected: 'command list' | 'empty ack',
) {
  return runOpenLoop({
    ratePerSecond: RATE_PER_SECOND,
    durationMs,
    send: async () => {
      const { body } = slashCommand(slack, 'help');
      const answer = await driver.sendSigned(body);
      if (answer.status !== 200) throw new Error(`help answered HTTP ${answer.status}`);
      const listed = answer.text.includes('/vams whoami');
      if (expected === 'command list' ? !listed : answer.text !== '') {
        throw new Error(`help ack is not the ${expected}: ${answer.text.slice(0, 120)}`);
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

type LoadFigures = Pick<BenchResults, 'ack' | 'whoamiReply' | 'botLogLinesDuringLoad' | 'memory'>;

/** Runs one load and notes how busy the event loop and the CPUs were meanwhile. */
async function measured<T extends { ack: OpenLoopResult }>(
  load: () => Promise<T>,
): Promise<{ value: T; run: LoadRun }> {
  const loopBefore = performance.eventLoopUtilization();
  const cpuBefore = cpuSnapshot();
  const value = await load();
  const cpuAfter = cpuSnapshot();
  const eventLoopBusy = performance.eventLoopUtilization(loopBefore).utilization;
  const cpu = cpuBefore && cpuAfter ? cpuBetween(cpuBefore, cpuAfter) : undefined;
  return { value, run: { result: value.ack, eventLoopBusy, cpu } };
}

async function measureLoad(collect: () => void): Promise<LoadFigures> {
  const slack = await SlackStandIn.start();
  const deployment = await createTestDeployment();
  await deployment.addVamsUser(BENCH_EMAIL, ['admin']);
  slack.addUser({ id: BENCH_USER, name: 'bench', email: BENCH_EMAIL, emailConfirmed: true });
  // The production log level, not the tests' debug.
  const bot = await startTestBot({ slack, deployment, env: { LOG_LEVEL: 'info' } });
  let botHelp: LoadRun;
  let botWhoami: { value: WhoamiLoad; run: LoadRun };
  let memory: LoadFigures['memory'];
  let logLines: number;
  try {
    const beforeLoad = await memoryAfterGc(collect);
    progress('bot: warm-up, /vams help and /vams whoami');
    await helpLoad(bot.driver, slack, WARM_UP_MS, 'command list');
    await whoamiLoad(bot.driver, slack, WARM_UP_MS);
    const afterWarmUp = await memoryAfterGc(collect);
    const logsBefore = bot.logs.length;
    progress(`bot: /vams help, ${LOAD_MS / 1000} s`);
    const help = () => helpLoad(bot.driver, slack, LOAD_MS, 'command list');
    botHelp = (await measured(async () => ({ ack: await help() }))).run;
    progress(`bot: /vams whoami, ${LOAD_MS / 1000} s`);
    botWhoami = await measured(() => whoamiLoad(bot.driver, slack, LOAD_MS));
    logLines = bot.logs.length - logsBefore;
    // The stand-in's record of calls belongs to the harness, not to the bot.
    slack.clear();
    memory = { beforeLoad, afterWarmUp, afterLoad: await memoryAfterGc(collect) };
  } finally {
    await bot.stop();
  }

  progress(`bare Bolt app: warm-up, then /vams, ${LOAD_MS / 1000} s`);
  const bareSlack = await SlackStandIn.start();
  const signingSecret = randomBytes(16).toString('hex');
  const bare = await startBareBoltApp(signingSecret, bareSlack.apiUrl);
  let bareBolt: LoadRun;
  try {
    const driver = new SlackDriver({ eventsUrl: bare.eventsUrl, signingSecret, slack: bareSlack });
    await helpLoad(driver, bareSlack, WARM_UP_MS, 'empty ack');
    const help = () => helpLoad(driver, bareSlack, LOAD_MS, 'empty ack');
    bareBolt = (await measured(async () => ({ ack: await help() }))).run;
  } finally {
    await bare.stop();
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
  };
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
  const slackEnv = {
    SLACK_BOT_TOKEN: STANDIN_TOKEN,
    SLACK_API_URL: slack.apiUrl,
    SLACK_SIGNING_SECRET: randomBytes(16).toString('hex'),
    APPROVAL_CHANNEL_ID: APPROVAL_CHANNEL,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  try {
    const awsEnv = {
      ...deployment.env,
      ...slackEnv,
      AWS_ENDPOINT_URL_DYNAMODB: services.dynamoEndpoint,
      AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: services.cognitoEndpoint,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
    };
    const aws = await startUpFigures(
      AWS_START_UP_RUNS,
      'BACKEND=aws',
      awsEnv,
      AWS_START_UP_LIMIT_MS,
    );
    progress('building dist/ for the compiled start-up');
    execFileSync(
      process.execPath,
      [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
      {
        cwd: resolve(__dirname, '..'),
        stdio: 'inherit',
      },
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

async function main(): Promise<void> {
  const gc = findGc();
  const loadAverageAtStart = loadavg();
  progress('starting DynamoDB Local and moto');
  const services = await startLocalServices();
  try {
    // What test/support/global-setup.ts sets: the SDK finds the emulators by itself.
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_DYNAMODB: services.dynamoEndpoint,
      AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: services.cognitoEndpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    });
    const load = await measureLoad(gc.collect);
    const startUp = await measureStartUp(services);
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
      startUp,
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
// Exit handlers (which kill the emulators and any spawned bot) only run on a real exit.
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
