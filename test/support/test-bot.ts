import { randomBytes } from 'node:crypto';
import { type RunningApp, startApp, type Tuning } from '../../src/app';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logging';
import { EVENTS_PATH } from '../../src/slack/slack-runtime';
import { SlackDriver } from './slack-driver';
import { SlackStandIn } from './slack-standin';
import { createTestDeployment, type TestDeployment } from './vams-deployment';

export const APPROVAL_CHANNEL = 'C0APPROVALS';

/** The real bot, in BACKEND=aws mode against the run's emulators, talking to a stand-in Slack. */
export interface TestBot {
  app: RunningApp;
  slack: SlackStandIn;
  driver: SlackDriver;
  deployment: TestDeployment;
  /** Every log line the bot wrote, as JSON text. */
  logs: string[];
  baseUrl: string;
  signingSecret: string;
  stop(): Promise<void>;
}

const REFUSED_BLOCKS = new Set(['invalid_blocks', 'invalid_arguments', 'invalid_blocks_format']);

/** Every file that starts a bot also proves that Slack accepted every payload and no log leaked. */
function assertCleanRun(slack: SlackStandIn, logs: string[], secrets: string[]): void {
  const refused = slack.calls.filter((call) => call.error && REFUSED_BLOCKS.has(call.error));
  if (refused.length > 0) {
    throw new Error(
      `Slack refused ${refused.length} payload(s): ${refused.map((call) => call.method).join(', ')}`,
    );
  }
  const leaked = secrets.filter((secret) => logs.some((line) => line.includes(secret)));
  if (leaked.length > 0) throw new Error(`${leaked.length} secret(s) appeared in the bot's logs`);
}

export interface TestBotOptions {
  env?: Record<string, string>;
  /** Shared with another bot: two instances on one set of tables. Not stopped by this bot. */
  deployment?: TestDeployment;
  /** Shared with another bot; not stopped by this bot. */
  slack?: SlackStandIn;
  tuning?: Partial<Tuning>;
}

export async function startTestBot(options: TestBotOptions = {}): Promise<TestBot> {
  const slack = options.slack ?? (await SlackStandIn.start());
  const deployment = options.deployment ?? (await createTestDeployment());
  const signingSecret = randomBytes(16).toString('hex');
  const loaded = loadConfig({
    ...deployment.env,
    SLACK_BOT_TOKEN: 'xoxb-local-standin',
    SLACK_SIGNING_SECRET: signingSecret,
    SLACK_API_URL: slack.apiUrl,
    APPROVAL_CHANNEL_ID: APPROVAL_CHANNEL,
    PORT: '0',
    LOG_LEVEL: 'debug',
    ...options.env,
  });
  if (!loaded.ok) throw new Error(`test configuration is invalid: ${loaded.problems.join('; ')}`);
  const logs: string[] = [];
  const logger = createLogger(loaded.config.logLevel, { write: (line: string) => logs.push(line) });
  const app = await startApp(loaded.config, logger, options.tuning);
  const baseUrl = `http://127.0.0.1:${app.port}`;
  const driver = new SlackDriver({ eventsUrl: `${baseUrl}${EVENTS_PATH}`, signingSecret, slack });
  return {
    app,
    slack,
    driver,
    deployment,
    logs,
    baseUrl,
    signingSecret,
    stop: async () => {
      await app.stop();
      if (!options.slack) await slack.stop();
      if (!options.deployment) deployment.destroy();
      assertCleanRun(slack, logs, [signingSecret, 'xoxb-local-standin']);
    },
  };
}
