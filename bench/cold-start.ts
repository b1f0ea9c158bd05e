import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { sdkEnvironment, startLocalServices } from '../src/backend/local-services';
import { createSlackSecret, lambdaDriver } from '../test/support/lambda-bot';
import { SlackStandIn } from '../test/support/slack-standin';
import { APPROVAL_CHANNEL } from '../test/support/test-bot';
import { createTestDeployment } from '../test/support/vams-deployment';
import { baseEnvironment, ROOT } from './child-process';
import { median } from './stats';

// Lambda cold start, as Slack meets it: a fresh Node process loads the bundled `http` handler,
// reads the Slack secret, builds the bot and answers its first signed `/vams help`. Ten runs,
// one after another, against the emulators and the Slack stand-in. `npm run bench:cold-start`.

const RUNS = 10;
const BUDGET_MS = 500;
const BUNDLE = resolve(ROOT, 'dist', 'lambda', 'index.js');
const RESULTS_FILE = resolve(__dirname, 'results.json');

interface ColdRun {
  totalMs: number;
  loadMs: number;
  handlerMs: number;
  status: number;
}

function runOnce(env: Record<string, string>): Promise<ColdRun> {
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [resolve(__dirname, 'cold-start-child.cjs')], {
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

async function main(): Promise<void> {
  process.stderr.write('cold start: bundling (npm run build:lambda)\n');
  execFileSync('npm', ['run', '--silent', 'build:lambda'], { cwd: ROOT, stdio: 'ignore' });
  const bundleBytes = statSync(BUNDLE).size;
  const services = await startLocalServices();
  const slack = await SlackStandIn.start();
  try {
    Object.assign(process.env, sdkEnvironment(services));
    const deployment = await createTestDeployment();
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
    const runs: ColdRun[] = [];
    // Each signed event goes to a fresh process: the driver signs, the child answers.
    const driver = lambdaDriver(slack, signingSecret, async (event) => {
      const result = await runOnce({ ...env, COLD_START_EVENT: JSON.stringify(event) });
      runs.push(result);
      return { statusCode: result.status, body: '' };
    });
    for (let run = 1; run <= RUNS; run += 1) {
      const sent = await driver.command('U0BENCH', 'help');
      if (sent.status !== 200) throw new Error(`run ${run}: status ${sent.status}`);
      const timed = runs.at(-1)?.totalMs ?? Number.NaN;
      process.stderr.write(`cold start: run ${run} of ${RUNS}: ${timed.toFixed(0)} ms\n`);
    }
    deployment.destroy();
    const figures = {
      machine: `${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}`,
      runs: RUNS,
      bundleMb: Number((bundleBytes / 1024 / 1024).toFixed(2)),
      medianMs: Number(median(runs.map((run) => run.totalMs)).toFixed(1)),
      medianLoadMs: Number(median(runs.map((run) => run.loadMs)).toFixed(1)),
      medianHandlerMs: Number(median(runs.map((run) => run.handlerMs)).toFixed(1)),
      runsMs: runs.map((run) => Number(run.totalMs.toFixed(0))),
      budgetMs: BUDGET_MS,
    };
    const verdict = figures.medianMs <= BUDGET_MS ? 'PASS' : 'OVER';
    process.stdout.write(
      [
        `Lambda cold start: a fresh node process, bundled http handler, first signed /vams help (${figures.machine})`,
        `  bundle dist/lambda/index.js        ${figures.bundleMb} MB`,
        `  spawn → answer, median of ${RUNS}       ${figures.medianMs} ms   budget ≤ ${BUDGET_MS} ms   ${verdict}`,
        `    of which loading the bundle      ${figures.medianLoadMs} ms`,
        `    of which the first event         ${figures.medianHandlerMs} ms (secret, auth.test, identity, reply)`,
        `  runs (ms)                          ${figures.runsMs.join(', ')}`,
        '',
      ].join('\n'),
    );
    const previous = existsSync(RESULTS_FILE) ? JSON.parse(readFileSync(RESULTS_FILE, 'utf8')) : {};
    writeFileSync(
      RESULTS_FILE,
      `${JSON.stringify({ ...previous, coldStart: figures }, null, 2)}\n`,
    );
  } finally {
    await slack.stop();
    await services.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
