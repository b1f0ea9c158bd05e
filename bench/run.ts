import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  type LocalServices,
  sdkEnvironment,
  startLocalServices,
} from '../src/backend/local-services';
import {
  type BenchContext,
  type BudgetCheck,
  buildDist,
  checkLines,
  machine,
  RESULTS_FILE,
  type Scenario,
  saveScenario,
} from './harness';

// `npm run bench` runs every scenario in bench/scenarios, one after the other; `npm run bench --
// ack offboarding` runs only those. Each scenario's figures replace its own entry in
// bench/results.json, with the machine it ran on.

// The order of a full run: the short loads first, the big seeded pools last. A scenario file not
// named here runs after these.
const ORDER = [
  'ack',
  'views-open',
  'onboarding',
  'offboarding',
  'memory',
  'start-up',
  'user-list',
  'cold-start',
];
// Everything, emulators included, is gone by then whatever hangs.
const HARD_LIMIT_MS = 30 * 60_000;
const SCENARIOS_DIR = resolve(__dirname, 'scenarios');

function progress(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

function allScenarios(): Scenario[] {
  const found = readdirSync(SCENARIOS_DIR)
    .filter((file) => file.endsWith('.ts'))
    .map((file) => {
      const loaded: { scenario?: Scenario } = require(resolve(SCENARIOS_DIR, file));
      if (!loaded.scenario) throw new Error(`bench/scenarios/${file} exports no scenario`);
      return loaded.scenario;
    });
  const rank = (scenario: Scenario) => {
    const index = ORDER.indexOf(scenario.name);
    return index < 0 ? ORDER.length : index;
  };
  return found.sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
}

function chosen(all: readonly Scenario[], names: readonly string[]): Scenario[] {
  if (names.length === 0) return [...all];
  const unknown = names.filter((name) => !all.some((scenario) => scenario.name === name));
  if (unknown.length > 0) {
    throw new Error(
      `no scenario called ${unknown.join(', ')}; there are: ${all.map((s) => s.name).join(', ')}`,
    );
  }
  return all.filter((scenario) => names.includes(scenario.name));
}

async function main(): Promise<void> {
  const all = allScenarios();
  const scenarios = chosen(all, process.argv.slice(2));
  const ran = machine();
  if (scenarios.some((scenario) => scenario.needsBuild)) buildDist(progress);
  let services: LocalServices | undefined;
  const checks: BudgetCheck[] = [];
  try {
    if (scenarios.some((scenario) => scenario.needsServices)) {
      progress('starting DynamoDB Local and moto');
      services = await startLocalServices();
      // As in the tests: the SDK finds the emulators by itself.
      Object.assign(process.env, sdkEnvironment(services));
    }
    process.stdout.write(
      `vams-chatops bench: ${ran.cpus} × ${ran.cpuModel}, Node ${ran.node}, ${ran.platform}, load average at start ${ran.loadAverageAtStart.map((value) => value.toFixed(2)).join(' ')}\n`,
    );
    for (const scenario of scenarios) {
      progress(`${scenario.name}: ${scenario.summary}`);
      const context: BenchContext = {
        services: services as LocalServices,
        progress: (message) => progress(`${scenario.name}: ${message}`),
      };
      const report = await scenario.run(context);
      saveScenario(scenario.name, ran, report);
      checks.push(...report.checks);
      process.stdout.write(
        `\n== ${scenario.name}: ${scenario.summary}\n${[...report.lines, '', ...checkLines(report.checks)].join('\n')}\n`,
      );
    }
    if (scenarios.length > 1) {
      process.stdout.write(`\n== Budgets\n${checkLines(checks).join('\n')}\n`);
    }
    process.stdout.write(`\nFigures written to ${RESULTS_FILE}\n`);
  } finally {
    if (services) {
      progress('stopping the emulators');
      await services.stop();
    }
  }
}

const hardLimit = setTimeout(() => {
  process.stderr.write(`bench: still running after ${HARD_LIMIT_MS / 1000} s; giving up\n`);
  process.exit(3);
}, HARD_LIMIT_MS);
hardLimit.unref();
// Exit handlers (which kill the emulators and every server the bench started, each with whatever
// it started) only run on a real exit.
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
