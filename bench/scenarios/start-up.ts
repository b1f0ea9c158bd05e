import { randomBytes } from 'node:crypto';
import { cpuBetween, cpuSnapshot } from '../cpu-usage';
import type { StartUpFigures } from '../figures';
import { check, fixed, type Scenario, table } from '../harness';
import { awsEnvironment, slackEnvironment, withStandIn } from '../servers';
import { COMPILED_ARGS, NPM_START_ARGS, type StartUpRun, timeStartUp } from '../start-up';
import { median } from '../stats';

// Start-up to the first healthy /healthz: as `npm start` runs the bot (tsx), compiled
// (`node dist/app.js`), both against AWS services already there, and once with BACKEND=local,
// which starts its own emulators.

const AWS_RUNS = 5;
const AWS_LIMIT_MS = 15_000;
const LOCAL_LIMIT_MS = 40_000;
const BUDGET_MS = 1000;

interface Figures {
  aws: StartUpFigures;
  compiled: StartUpFigures;
  local: StartUpFigures;
}

async function startUps(
  runs: number,
  label: string,
  env: Record<string, string>,
  withinMs: number,
  args: readonly string[],
  progress: (message: string) => void,
): Promise<StartUpFigures> {
  const results: StartUpRun[] = [];
  const cpuBefore = cpuSnapshot();
  for (let run = 1; run <= runs; run += 1) {
    progress(`${label}, run ${run} of ${runs}`);
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

const largest = (values: readonly (number | undefined)[]): number =>
  Math.max(...values.filter((value): value is number => value !== undefined));

function startUpRow(name: string, figures: StartUpFigures): string[] {
  return [
    name,
    fixed(figures.medianMs, 0),
    figures.runsMs.map((ms) => fixed(ms, 0)).join(', '),
    `≤ ${fixed(largest(figures.rssMb), 0)}`,
    `≤ ${fixed(largest(figures.stopMs), 0)}`,
    figures.exitCodes.every((code) => code === 0) ? 'yes' : figures.exitCodes.join(', '),
    String(figures.leftovers),
  ];
}

export const scenario: Scenario<Figures> = {
  name: 'start-up',
  summary: 'start-up to /healthz: npm start (tsx), compiled, and BACKEND=local',
  needsBuild: true,
  needsServices: true,
  run: async ({ services, progress }) => {
    const figures: Figures = await withStandIn(async (slack, deployment) => {
      const slackEnv = slackEnvironment(slack, randomBytes(16).toString('hex'));
      const awsEnv = { ...awsEnvironment(services, deployment), ...slackEnv };
      return {
        aws: await startUps(
          AWS_RUNS,
          'npm start (tsx)',
          awsEnv,
          AWS_LIMIT_MS,
          NPM_START_ARGS,
          progress,
        ),
        compiled: await startUps(
          AWS_RUNS,
          'node dist/app.js',
          awsEnv,
          AWS_LIMIT_MS,
          COMPILED_ARGS,
          progress,
        ),
        local: await startUps(
          1,
          'BACKEND=local (starts its own emulators)',
          { ...slackEnv, BACKEND: 'local' },
          LOCAL_LIMIT_MS,
          NPM_START_ARGS,
          progress,
        ),
      };
    });
    return {
      figures,
      lines: table(
        [
          'how it starts',
          'median (ms)',
          'runs (ms)',
          'idle RSS (MB)',
          'SIGTERM → exit (ms)',
          'exit 0',
          'left behind',
        ],
        [
          startUpRow('BACKEND=aws, npm start (tsx)', figures.aws),
          startUpRow('BACKEND=aws, node dist/app.js', figures.compiled),
          startUpRow('BACKEND=local, starts its own emulators', figures.local),
        ],
      ),
      checks: [
        check(
          'start-up to /healthz, node dist/app.js, median',
          figures.compiled.medianMs,
          BUDGET_MS,
          'ms',
        ),
        check(
          'start-up to /healthz, npm start (tsx), median',
          figures.aws.medianMs,
          BUDGET_MS,
          'ms',
        ),
      ],
    };
  },
};
