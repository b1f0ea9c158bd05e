import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { freePort } from '../../src/backend/local-services';
import { EVENTS_PATH } from '../../src/slack/slack-runtime';
import { SlackDriver } from './slack-driver';
import type { SlackStandIn } from './slack-standin';
import { APPROVAL_CHANNEL } from './test-bot';
import { emulatorEnvironment, type TestDeployment } from './vams-deployment';

/** Polls `probe` until it gives a value. */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * The bot as its own process (`node src/app.ts`), on a deployment and a Slack stand-in the test
 * keeps: it can be killed with SIGKILL at any point, and another one started on the same state.
 */
export async function startBotProcess(
  deployment: TestDeployment,
  slack: SlackStandIn,
  env: Record<string, string> = {},
) {
  const port = await freePort();
  const signingSecret = randomBytes(16).toString('hex');
  const child: ChildProcess = spawn('node', ['--import', 'tsx', 'src/app.ts'], {
    cwd: `${__dirname}/../..`,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      ...deployment.env,
      ...emulatorEnvironment(),
      SLACK_BOT_TOKEN: 'xoxb-local-standin',
      SLACK_SIGNING_SECRET: signingSecret,
      SLACK_API_URL: slack.apiUrl,
      APPROVAL_CHANNEL_ID: APPROVAL_CHANNEL,
      MANAGER_ROLES: 'manager',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: 'ignore',
  });
  await until('the bot process to serve', async () => {
    if (child.exitCode !== null) throw new Error(`the bot exited with ${child.exitCode}`);
    const healthy = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (response) => response.ok,
      () => false,
    );
    return healthy ? true : undefined;
  });
  const driver = new SlackDriver({
    eventsUrl: `http://127.0.0.1:${port}${EVENTS_PATH}`,
    signingSecret,
    slack,
  });
  return { child, driver };
}
