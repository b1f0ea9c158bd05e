import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { sdkEnvironment } from '../../src/backend/local-services';
import { createSlackSecret, lambdaDriver } from '../../test/support/lambda-bot';
import { APPROVAL_CHANNEL } from '../../test/support/test-bot';
import { baseEnvironment, ROOT } from '../child-process';
import { check, fixed, type Scenario, table } from '../harness';
import { withStandIn } from '../servers';
import { median } from '../stats';

// Lambda cold start, as Slack meets it: a fresh Node process loads the bundled `http` handler,
// reads the Slack secret, builds the bot and answers its first signed `/vams help`. Ten runs,
// one after another, against the emulators and the Slack stand-in.

const RUNS = 10;
const BUDGET_MS = 500;
const BUNDLE = resolve(ROOT, 'dist', 'lambda', 'index.js');
const CHILD = resolve(__dirname, '..', 'cold-start-child.cjs');

interface ColdRun {
  totalMs: number;
  loadMs: number;
  handlerMs: number;
  status: number;
}

interface Figures {
  runs: number;
  bundleMb: number;
  medianMs: number;
  medianLoadMs: number;
  medianHandlerMs: number;
  runsMs: number[];
}

function runOnce(env: Record<string, string>): Promise<ColdRun> {
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [CHILD], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.on('exit', (code) => {
      const totalMs = performance.now() - started;
      const line = out.split('\n').find((text) => text.startsWith('{'));
      if (code !== 0 || !line) {
        reject(new Error(`cold start failed (exit ${code}): ${err.slice(-500)}`));
        return;
      }
      const answer = JSON.parse(line) as { status: number; loadMs: number; handlerMs: number };
      resolvePromise({ totalMs, ...answer });
    });
  });
}

export const scenario: Scenario<Figures> = {
  name: 'cold-start',
  summary: 'Lambda cold start: fresh process, bundled http handler, first signed /vams help',
  needsBuild: false,
  needsServices: true,
  run: async ({ services, progress }) => {
    progress('bundling (npm run build:lambda)');
    execFileSync('npm', ['run', '--silent', 'build:lambda'], { cwd: ROOT, stdio: 'ignore' });
    const bundleBytes = statSync(BUNDLE).size;
    const runs: ColdRun[] = [];
    await withStandIn(async (slack, deployment) => {
      const signingSecret = randomBytes(16).toString('hex');
      const secretArn = await createSlackSecret(signingSecret);
      slack.addUser({ id: 'U0BENCH', email: 'bench@example.com', emailConfirmed: true });
      await deployment.addVamsUser('bench@example.com', ['admin']);
      const env = {
        ...baseEnvironment(),
        ...sdkEnvironment(services),
        ...deployment.env,
        SLACK_SECRET_ARN: secretArn,
        SLACK_API_URL: slack.apiUrl,
        APPROVAL_CHANNEL_ID: APPROVAL_CHANNEL,
        LOG_LEVEL: 'warn',
      };
      // Each signed event goes to a fresh process: the driver signs, the child answers.
      const driver = lambdaDriver(slack, signingSecret, async (event) => {
        const result = await runOnce({ ...env, COLD_START_EVENT: JSON.stringify(event) });
        runs.push(result);
        return { statusCode: result.status, body: '' };
      });
      for (let run = 1; run <= RUNS; run += 1) {
        const sent = await driver.command('U0BENCH', 'help');
        if (sent.status !== 200) throw new Error(`run ${run}: status ${sent.status}`);
        progress(`run ${run} of ${RUNS}: ${fixed(runs.at(-1)?.totalMs, 0)} ms`);
      }
    });
    const figures: Figures = {
      runs: RUNS,
      bundleMb: bundleBytes / 2 ** 20,
      medianMs: median(runs.map((run) => run.totalMs)),
      medianLoadMs: median(runs.map((run) => run.loadMs)),
      medianHandlerMs: median(runs.map((run) => run.handlerMs)),
      runsMs: runs.map((run) => Math.round(run.totalMs)),
    };
    return {
      figures,
      lines: table(
        ['Lambda cold start', 'figure'],
        [
          ['bundle dist/lambda/index.js', `${fixed(figures.bundleMb, 2)} MB`],
          [`spawn → answer, median of ${RUNS}`, `${fixed(figures.medianMs, 0)} ms`],
          ['  of which loading the bundle', `${fixed(figures.medianLoadMs, 0)} ms`],
          [
            '  of which the first event (secret, auth.test, identity, reply)',
            `${fixed(figures.medianHandlerMs, 0)} ms`,
          ],
          ['runs (ms)', figures.runsMs.join(', ')],
        ],
      ),
      checks: [check('Lambda cold start, median', figures.medianMs, BUDGET_MS, 'ms')],
    };
  },
};
