import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, type LocalServices, sdkEnvironment } from '../src/backend/local-services';
import { EVENTS_PATH, HEALTH_PATH } from '../src/slack/slack-runtime';
import { API_KEY_IDS } from '../src/views/api-key.view';
import { keyFields } from '../test/support/onboarding-flow';
import { SlackDriver } from '../test/support/slack-driver';
import { SlackStandIn } from '../test/support/slack-standin';
import { APPROVAL_CHANNEL } from '../test/support/test-bot';
import { createTestDeployment, type TestDeployment } from '../test/support/vams-deployment';
import {
  answers,
  baseEnvironment,
  residentMb,
  type Spawned,
  type Stopped,
  spawnNode,
  stopProcess,
  waitUntilReady,
} from './child-process';
import { cpuBetween, cpuSnapshot } from './cpu-usage';
import type { LoadRun } from './figures';
import type { OpenLoopResult } from './open-loop';
import { COMPILED_ARGS } from './start-up';

// The servers a scenario drives, each a process of its own: the bot as production runs it
// (compiled, `node dist/app.js`) and the bare Bolt app it is compared with.

export const STANDIN_TOKEN = 'xoxb-local-standin';
const BOT_START_LIMIT_MS = 15_000;
// The bare Bolt app runs through tsx: only its steady state is timed, not its start-up.
const BARE_BOLT_ARGS = ['--import', 'tsx', 'bench/bare-bolt-process.ts'];
const BARE_BOLT_START_LIMIT_MS = 15_000;
// How often a process's resident memory is read for its peak.
const RSS_SAMPLE_MS = 100;

export function awsEnvironment(services: LocalServices, deployment: TestDeployment) {
  return { ...sdkEnvironment(services), ...deployment.env };
}

export function slackEnvironment(slack: SlackStandIn, signingSecret: string) {
  return {
    SLACK_BOT_TOKEN: STANDIN_TOKEN,
    SLACK_API_URL: slack.apiUrl,
    SLACK_SIGNING_SECRET: signingSecret,
    APPROVAL_CHANNEL_ID: APPROVAL_CHANNEL,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

/** A server under load, in a process of its own. */
export interface ServerProcess {
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
export class BotLog {
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

export interface BotProcess extends ServerProcess {
  log: BotLog;
}

/**
 * The bot as production runs it, compiled (`node dist/app.js`), against a deployment on the
 * emulators and the stand-in, at the production log level. `env` adds to or overrides its
 * environment (settings, an endpoint through a proxy); `nodeOptions` go before the script.
 */
export async function startBotProcess(
  services: LocalServices,
  deployment: TestDeployment,
  slack: SlackStandIn,
  options: { env?: Record<string, string>; nodeOptions?: readonly string[] } = {},
): Promise<BotProcess> {
  const signingSecret = randomBytes(16).toString('hex');
  const log = new BotLog([signingSecret, STANDIN_TOKEN]);
  const env = {
    ...baseEnvironment(),
    ...awsEnvironment(services, deployment),
    ...slackEnvironment(slack, signingSecret),
    LOG_LEVEL: 'info',
    ...options.env,
  };
  // BENCH_CPU_PROF=<dir>: every bot a scenario starts writes a V8 CPU profile there when it stops
  // (read it with `node --import tsx bench/profile-summary.ts <file>`).
  const profile = process.env.BENCH_CPU_PROF;
  const profiling = profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [];
  const args = [...profiling, ...(options.nodeOptions ?? []), ...COMPILED_ARGS];
  const server = await startServerProcess(
    'the bot',
    (port) => spawnNode(args, { ...env, PORT: String(port) }, (line) => log.read(line)),
    HEALTH_PATH,
    200,
    BOT_START_LIMIT_MS,
    (eventsUrl) => new SlackDriver({ eventsUrl, signingSecret, slack }),
  );
  return { ...server, log };
}

/**
 * A Slack stand-in and a fresh deployment on the emulators for `work`, both gone when it ends,
 * however it ends.
 */
export async function withStandIn<T>(
  work: (slack: SlackStandIn, deployment: TestDeployment) => Promise<T>,
): Promise<T> {
  const slack = await SlackStandIn.start();
  try {
    const deployment = await createTestDeployment();
    try {
      return await work(slack, deployment);
    } finally {
      deployment.destroy();
    }
  } finally {
    await slack.stop();
  }
}

/**
 * The compiled bot (see `startBotProcess`) for `work`, stopped when it ends, however it ends.
 * Hands back what `work` gave and how the bot stopped.
 */
export async function withBotProcess<T>(
  services: LocalServices,
  deployment: TestDeployment,
  slack: SlackStandIn,
  work: (bot: BotProcess) => Promise<T>,
  options: { env?: Record<string, string>; nodeOptions?: readonly string[] } = {},
): Promise<{ result: T; stopped: Stopped; bot: BotProcess }> {
  const bot = await startBotProcess(services, deployment, slack, options);
  let result: T;
  try {
    result = await work(bot);
  } catch (error) {
    await bot.stop();
    throw error;
  }
  return { result, stopped: await bot.stop(), bot };
}

/** The bare Bolt app in a process of its own, configured like the bot. */
export function startBareBoltProcess(slack: SlackStandIn): Promise<ServerProcess> {
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

/** Reads a process's RSS every few milliseconds until stopped; the highest reading. */
export function rssPeak(pid: number | undefined): { stop(): number } {
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

/**
 * Runs one load against the server process `serverPid` and notes how busy the bench's event
 * loop and the CPUs were meanwhile.
 */
export async function measured<T extends { ack: OpenLoopResult }>(
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

/** Waits until `done` holds, polling; throws with `what` after `withinMs`. */
export async function until(
  what: string,
  done: () => boolean | Promise<boolean>,
  withinMs: number,
  everyMs = 20,
): Promise<void> {
  const started = performance.now();
  while (!(await done())) {
    if (performance.now() - started > withinMs)
      throw new Error(`${what}: not within ${withinMs} ms`);
    await sleep(everyMs);
  }
}

/** A driver that builds what a person's client would send without sending it. */
export function recorder(slack: SlackStandIn): { driver: SlackDriver; last: () => string } {
  let last = '';
  const driver = new SlackDriver({
    eventsUrl: 'http://127.0.0.1:9/unused',
    // Bodies are signed again, with the server's secret, when they are sent.
    signingSecret: 'unused',
    slack,
    transport: async ({ body }) => {
      last = body;
      return { status: 200, text: '' };
    },
  });
  return { driver, last: () => last };
}

/** What `send` makes a person's client send, once per item, recorded: the bodies in order. */
export async function recordedBodies<T>(
  slack: SlackStandIn,
  items: readonly T[],
  send: (driver: SlackDriver, item: T) => Promise<unknown>,
): Promise<string[]> {
  const { driver, last } = recorder(slack);
  const bodies: string[] = [];
  for (const item of items) {
    await send(driver, item);
    bodies.push(last());
  }
  return bodies;
}

let keyNumber = 0;

/**
 * The submission of each of `user`'s key request dialogs, filled in as a person would, with a
 * key name never used before in this bench (`<prefix>-<n>`).
 */
export function keySubmissionBodies(
  slack: SlackStandIn,
  user: string,
  viewIds: readonly string[],
  prefix: string,
): Promise<string[]> {
  return recordedBodies(slack, viewIds, (driver, viewId) => {
    keyNumber += 1;
    return driver.submitView(user, viewId, keyFields(`${prefix}-${keyNumber}`));
  });
}

/**
 * `/vams <text>` from `user` as Slack would send it, with a fresh trigger (it lives 3 s) and
 * response_url: the body, to be sent signed by a load.
 */
export async function preparedCommand(
  slack: SlackStandIn,
  user: string,
  text: string,
): Promise<{ body: string; responseUrl: string }> {
  const { driver, last } = recorder(slack);
  const { responseUrl } = await driver.command(user, text);
  return { body: last(), responseUrl };
}

/** Key request dialogs `user` has open with their form, not in `used`, oldest first. */
export function keyRequestDialogs(
  slack: SlackStandIn,
  user: string,
  used: ReadonlySet<string>,
): string[] {
  return [...slack.views.entries()]
    .filter(
      ([viewId, stored]) =>
        !used.has(viewId) &&
        stored.userId === user &&
        stored.view.callback_id === API_KEY_IDS.requestCallbackId &&
        stored.view.submit !== undefined,
    )
    .map(([viewId]) => viewId);
}
