import { connectBackend } from './backend/backend';
import {
  composeBot,
  createAuditedLogger,
  DEFAULT_TUNING,
  type RunningApp,
  type Tuning,
} from './composition';
import { type Config, loadConfig } from './config';
import type { AppLogger } from './logging';
import { PrometheusMetrics } from './metrics/prometheus-metrics';

// The audit lines reach VAMS's log group within seconds, batched.
const AUDIT_FLUSH_MS = 5_000;

import { createSlackRuntime } from './slack/slack-runtime';

export type { RunningApp, Tuning } from './composition';

/** Runs `work` now and every `ms`, one run at a time; failures are logged, never thrown. */
function every(ms: number, work: () => Promise<unknown>, failure: string, logger: AppLogger) {
  let running: Promise<unknown> = Promise.resolve();
  const run = () => {
    running = running.then(work).catch((error: unknown) => logger.error({ err: error }, failure));
  };
  run();
  const timer = setInterval(run, ms);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}

/** Config → adapters → Bolt app → listeners → serving. Tests start the bot through here too. */
export async function startApp(
  config: Config,
  logger: AppLogger,
  overrides: Partial<Tuning> = {},
): Promise<RunningApp> {
  const tuning = { ...DEFAULT_TUNING, ...overrides };
  const backend = await connectBackend(config.backend, logger);
  try {
    // Served at GET /metrics in HTTP mode, for Prometheus to scrape.
    const metrics = new PrometheusMetrics({ processMetrics: true });
    const slack = await createSlackRuntime(config, logger, metrics);
    const bot = composeBot(config, logger, tuning, backend, slack, { runInProcess: true, metrics });
    const { workflow, sweeps } = bot;
    const port = await slack.start();
    // Expiry and crash recovery: on start, then every `sweepMs`.
    const stopSweeper = every(tuning.sweepMs, sweeps.requests, 'sweep failed', logger);
    // Apart from the request sweep, so that neither a failure nor a slow round there delays an end.
    const stopGrantSweeper = every(tuning.sweepMs, sweeps.grants, 'grant sweep failed', logger);
    const stopReminders = every(tuning.reminderMs, sweeps.keys, 'API key reminders failed', logger);
    logger.info({ port, backend: config.backend.kind }, 'vams-chatops is serving');
    return {
      port,
      backend,
      workflow,
      sweeps,
      stop: async () => {
        await slack.stop();
        await stopSweeper();
        await stopGrantSweeper();
        await bot.settle();
        await stopReminders();
        await backend.stop();
      },
    };
  } catch (error) {
    await backend.stop();
    throw error;
  }
}

async function main(): Promise<void> {
  const loaded = loadConfig(process.env);
  if (!loaded.ok) {
    process.stderr.write(
      `vams-chatops cannot start; fix the configuration:\n${loaded.problems.map((problem) => `  ${problem}\n`).join('')}`,
    );
    process.exit(2);
  }
  const { logger, audit } = createAuditedLogger(loaded.config);
  audit?.start(AUDIT_FLUSH_MS);
  let running: RunningApp;
  try {
    running = await startApp(loaded.config, logger);
  } catch (error) {
    process.stderr.write(
      `vams-chatops could not start: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    logger.flush();
    await audit?.stop();
    process.exit(1);
  }
  let stopping = false;
  const shutDown = (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.info({ signal }, 'stopping');
    running
      .stop()
      .then(() => audit?.stop())
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        logger.error({ err: error }, 'stopping failed');
        process.exit(1);
      });
  };
  process.on('SIGINT', () => shutDown('SIGINT'));
  process.on('SIGTERM', () => shutDown('SIGTERM'));
  // Listener errors stop at the listener guard and HTTP requests at the server's own guard, so
  // neither reaches these. A promise nobody awaited failed: logged, and the process goes on (by
  // default Node would exit, and with it every request in flight). A synchronous exception
  // nobody caught leaves state unknown: exit, and let executions resume from their records.
  process.on('unhandledRejection', (reason) => {
    logger.error({ err: reason }, 'unhandled promise rejection');
  });
  process.on('uncaughtException', (error) => {
    logger.fatal({ err: error }, 'uncaught exception');
    logger.flush();
    process.exit(1);
  });
}

if (require.main === module) {
  void main();
}
