import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { freePort } from '../src/backend/local-services';
import { EVENTS_PATH } from '../src/slack/slack-runtime';
import { descendantsOf, isAlive } from './support/processes';
import { SlackDriver } from './support/slack-driver';
import { SlackStandIn } from './support/slack-standin';
import {
  createTestDeployment,
  emulatorEnvironment,
  type TestDeployment,
} from './support/vams-deployment';

const ROOT = `${__dirname}/..`;

interface Finished {
  code: number | null;
  stderr: string;
  stdout: string;
}

function run(command: string, args: string[], env: Record<string, string>): ChildProcess {
  // Only what the bot needs: nothing from the developer's shell leaks into the test.
  const base = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' };
  return spawn(command, args, {
    cwd: ROOT,
    env: { ...base, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

async function finish(child: ChildProcess): Promise<Finished> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const [code] = await once(child, 'exit');
  return { code: typeof code === 'number' ? code : null, stdout, stderr };
}

async function waitForHealth(url: string, child: ChildProcess, withinMs: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < withinMs) {
    if (child.exitCode !== null) throw new Error(`the bot exited with ${child.exitCode}`);
    try {
      const response = await fetch(url);
      if (response.status === 200) return Date.now() - started;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not answer 200 within ${withinMs} ms`);
}

describe('the bot as a process', () => {
  let slack: SlackStandIn;
  let deployment: TestDeployment;

  beforeAll(async () => {
    slack = await SlackStandIn.start();
    deployment = await createTestDeployment();
  });
  afterAll(async () => {
    await slack.stop();
    deployment.destroy();
  });

  it('stops before connecting, with one line per configuration problem and a non-zero exit', async () => {
    const result = await finish(
      run('node_modules/.bin/tsx', ['src/app.ts'], {
        PORT: 'eighty',
        BACKEND: 'aws',
        SLACK_API_URL: slack.apiUrl,
      }),
    );
    expect(result.code).toBe(2);
    const lines = result.stderr.split('\n').map((line) => line.trim());
    for (const expected of [
      'SLACK_BOT_TOKEN is required',
      'APPROVAL_CHANNEL_ID is required',
      'PORT must be a whole number from 0 to 65535 (got "eighty")',
      'AWS_REGION is required when BACKEND=aws',
      'BOT_TABLE is required when BACKEND=aws',
    ]) {
      expect(lines).toContain(expected);
    }
    expect(slack.callsTo('auth.test')).toHaveLength(0);
  });

  it('exits non-zero with a clear message when Slack rejects the token', async () => {
    const result = await finish(
      run('node_modules/.bin/tsx', ['src/app.ts'], {
        ...awsEnvironment(deployment),
        SLACK_BOT_TOKEN: 'xoxb-revoked-token',
        SLACK_SIGNING_SECRET: 'secret',
        SLACK_API_URL: slack.apiUrl,
        APPROVAL_CHANNEL_ID: 'C0APPROVALS',
        PORT: '0',
      }),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Slack did not accept SLACK_BOT_TOKEN');
    expect(result.stderr).toContain('invalid_auth');
    expect(`${result.stderr}${result.stdout}`).not.toContain('xoxb-revoked-token');
  });

  it('says which VAMS table is missing in BACKEND=aws', async () => {
    const result = await finish(
      run('node_modules/.bin/tsx', ['src/app.ts'], {
        ...awsEnvironment(deployment),
        VAMS_ROLES_TABLE: 'no-such-roles-table',
        SLACK_BOT_TOKEN: 'xoxb-local-standin',
        SLACK_SIGNING_SECRET: 'secret',
        SLACK_API_URL: slack.apiUrl,
        APPROVAL_CHANNEL_ID: 'C0APPROVALS',
        PORT: '0',
      }),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('VAMS_ROLES_TABLE table "no-such-roles-table" does not exist');
  });

  it('npm start on the local backend serves /healthz within 10 s and leaves no process behind after SIGTERM', async () => {
    const port = await freePort();
    const bot = run('npm', ['start', '--silent'], {
      BACKEND: 'local',
      SLACK_BOT_TOKEN: 'xoxb-local-standin',
      SLACK_SIGNING_SECRET: 'secret',
      SLACK_API_URL: slack.apiUrl,
      APPROVAL_CHANNEL_ID: 'C0APPROVALS',
      PORT: String(port),
    });
    const finished = finish(bot);
    const pid = bot.pid ?? -1;
    await waitForHealth(`http://127.0.0.1:${port}/healthz`, bot, 10_000);
    const family = descendantsOf(pid);
    // npm, its shell, the bot, DynamoDB Local (java) and moto (python3).
    expect(family.length).toBeGreaterThanOrEqual(3);
    bot.kill('SIGTERM');
    const result = await finished;
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(family.filter(isAlive)).toEqual([]);
    expect(result.code).toBe(0);
  }, 40_000);

  it('answers whatever it does not serve with a bare status and goes on serving', async () => {
    const port = await freePort();
    const signingSecret = 'process-test-secret';
    const bot = run('node_modules/.bin/tsx', ['src/app.ts'], {
      ...awsEnvironment(deployment),
      SLACK_BOT_TOKEN: 'xoxb-local-standin',
      SLACK_SIGNING_SECRET: signingSecret,
      SLACK_API_URL: slack.apiUrl,
      APPROVAL_CHANNEL_ID: 'C0APPROVALS',
      PORT: String(port),
    });
    const finished = finish(bot);
    const base = `http://127.0.0.1:${port}`;
    const driver = new SlackDriver({ eventsUrl: `${base}${EVENTS_PATH}`, signingSecret, slack });
    try {
      await waitForHealth(`${base}/healthz`, bot, 10_000);
      const unsigned = async (method: string, path: string, body?: string) => {
        const response = await fetch(`${base}${path}`, {
          method,
          ...(body === undefined
            ? {}
            : { body, headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
          signal: AbortSignal.timeout(10_000),
        });
        return {
          status: response.status,
          allow: response.headers.get('allow'),
          text: await response.text(),
        };
      };
      const bigBody = `payload=${'a'.repeat(2 * 1024 * 1024)}`;
      const cases: [
        string,
        () => Promise<{ status: number; allow?: string | null; text: string }>,
        number,
        string?,
      ][] = [
        ['GET /slack/events', () => unsigned('GET', EVENTS_PATH), 405, 'POST'],
        ['PUT /slack/events', () => unsigned('PUT', EVENTS_PATH, 'x=1'), 405, 'POST'],
        ['HEAD /slack/events', () => unsigned('HEAD', EVENTS_PATH), 405, 'POST'],
        ['OPTIONS /slack/events', () => unsigned('OPTIONS', EVENTS_PATH), 405, 'POST'],
        [
          'GET /slack/events?ssl_check=1',
          () => unsigned('GET', `${EVENTS_PATH}?ssl_check=1`),
          405,
          'POST',
        ],
        ['POST /healthz', () => unsigned('POST', '/healthz', 'x=1'), 405, 'GET, HEAD'],
        ['GET /', () => unsigned('GET', '/'), 404],
        ['GET /favicon.ico', () => unsigned('GET', '/favicon.ico'), 404],
        ['POST /slack/events, no body', () => unsigned('POST', EVENTS_PATH), 401],
        ['POST /slack/events, 2 MB unsigned', () => unsigned('POST', EVENTS_PATH, bigBody), 401],
        ['POST /slack/events, 2 MB signed', () => driver.sendSigned(bigBody), 400],
        ['signed, invalid form encoding', () => driver.sendSigned('payload=%E0%A4%A'), 400],
        ['signed payload=null', () => driver.sendSigned('payload=null'), 400],
        [
          'signed JSON null',
          () => driver.sendSigned('null', { contentType: 'application/json' }),
          400,
        ],
        ['signed, no command and no payload', () => driver.sendSigned('text=help'), 400],
        [
          'signed payload of an unknown type',
          () => driver.sendSigned(`payload=${encodeURIComponent('{"type":"no_such_type"}')}`),
          200,
        ],
      ];
      const seen: string[] = [];
      for (const [label, send, , allow] of cases) {
        const answer = await send();
        expect(bot.exitCode).toBeNull();
        seen.push(
          `${label}: ${answer.status}${allow ? ` (Allow: ${answer.allow})` : ''} ${answer.text}`,
        );
      }
      expect(seen).toEqual(
        cases.map(
          ([label, , status, allow]) => `${label}: ${status}${allow ? ` (Allow: ${allow})` : ''} `,
        ),
      );
      const health = await fetch(`${base}/healthz`);
      expect(health.status).toBe(200);
      const unknown = await driver.command('U0ANYONE', 'frobnicate');
      expect(unknown.status).toBe(200);
      expect(JSON.stringify(unknown.ack)).toContain('/vams help');
      expect(bot.exitCode).toBeNull();
    } finally {
      bot.kill('SIGTERM');
      await finished;
    }
  }, 60_000);
});

function awsEnvironment(deployment: TestDeployment): Record<string, string> {
  return { ...deployment.env, ...emulatorEnvironment() };
}
