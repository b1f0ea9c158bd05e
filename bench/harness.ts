import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import type { LocalServices } from '../src/backend/local-services';
import { ROOT } from './child-process';

// What every scenario of the bench shares: how it is described, what it hands back, how its
// figures are kept in bench/results.json (one entry per scenario, so one run alone replaces only
// its own) and how budgets are printed.

export const RESULTS_FILE = resolve(__dirname, 'results.json');

export interface BenchContext {
  services: LocalServices;
  progress(message: string): void;
}

export interface BudgetCheck {
  name: string;
  measured: number;
  limit: number;
  unit: string;
  /** `max`: measured ≤ limit passes; `min`: measured ≥ limit passes. */
  direction: 'max' | 'min';
  pass: boolean;
  /** Why a budget is missed, or what the figure leaves out. */
  note?: string;
}

export interface ScenarioReport<F = unknown> {
  figures: F;
  /** The scenario's own tables, printed as they are. */
  lines: string[];
  checks: BudgetCheck[];
}

export interface Scenario<F = unknown> {
  name: string;
  /** One line: what it measures. */
  summary: string;
  /** It runs the compiled bot (dist/), so `npm run build` first. */
  needsBuild: boolean;
  /** It needs DynamoDB Local and moto. */
  needsServices: boolean;
  run(context: BenchContext): Promise<ScenarioReport<F>>;
}

export interface Machine {
  cpus: number;
  cpuModel: string;
  node: string;
  platform: string;
  loadAverageAtStart: number[];
}

export function machine(): Machine {
  const [cpu] = cpus();
  return {
    cpus: cpus().length,
    cpuModel: cpu?.model.trim() ?? 'unknown CPU',
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadAverageAtStart: loadavg(),
  };
}

export function check(
  name: string,
  measured: number,
  limit: number,
  unit: string,
  options: { direction?: 'max' | 'min'; note?: string } = {},
): BudgetCheck {
  const direction = options.direction ?? 'max';
  const pass =
    Number.isFinite(measured) && (direction === 'max' ? measured <= limit : measured >= limit);
  return {
    name,
    measured,
    limit,
    unit,
    direction,
    pass,
    ...(options.note === undefined ? {} : { note: options.note }),
  };
}

export interface StoredScenario {
  ranAt: string;
  machine: Machine;
  figures: unknown;
  checks: BudgetCheck[];
}

export interface StoredResults {
  scenarios: Record<string, StoredScenario>;
}

function storedResults(): StoredResults {
  if (!existsSync(RESULTS_FILE)) return { scenarios: {} };
  try {
    const parsed: unknown = JSON.parse(readFileSync(RESULTS_FILE, 'utf8'));
    if (typeof parsed === 'object' && parsed !== null && 'scenarios' in parsed) {
      return parsed as StoredResults;
    }
  } catch {
    // An unreadable file from an older bench is replaced.
  }
  return { scenarios: {} };
}

/** Replaces this scenario's entry in bench/results.json and keeps the others. */
export function saveScenario(name: string, ran: Machine, report: ScenarioReport): void {
  const results = storedResults();
  results.scenarios[name] = {
    ranAt: new Date().toISOString(),
    machine: ran,
    figures: report.figures,
    checks: report.checks,
  };
  writeFileSync(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);
}

export const fixed = (value: number | undefined, digits = 1): string =>
  value !== undefined && Number.isFinite(value) ? value.toFixed(digits) : '-';

export const percent = (share: number | undefined): string =>
  share === undefined || !Number.isFinite(share) ? '-' : `${Math.round(share * 100)} %`;

function row(cells: readonly string[], widths: readonly number[]): string {
  return cells
    .map((cell, index) => {
      const width = widths[index] ?? 0;
      return index === 0 ? cell.padEnd(width) : cell.padStart(width);
    })
    .join('  ')
    .trimEnd();
}

/** A plain-text table: the first column left-aligned, the others right-aligned. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((title, index) =>
    Math.max(title.length, ...rows.map((cells) => (cells[index] ?? '').length)),
  );
  return [row(header, widths), ...rows.map((cells) => row(cells, widths))].map(
    (line) => `  ${line}`,
  );
}

function measuredText(budget: BudgetCheck): string {
  const digits = budget.unit === '×' ? 2 : budget.unit === '%' ? 0 : 1;
  return `${fixed(budget.measured, digits)} ${budget.unit}`;
}

export function checkLines(checks: readonly BudgetCheck[]): string[] {
  const lines = table(
    ['check', 'measured', 'budget', 'result'],
    checks.map((budget) => [
      budget.name,
      measuredText(budget),
      `${budget.direction === 'max' ? '≤' : '≥'} ${budget.limit} ${budget.unit}`,
      budget.pass ? 'PASS' : 'OVER',
    ]),
  );
  const notes = checks
    .filter((budget) => budget.note !== undefined)
    .map((budget) => `  ${budget.pass ? '' : '! '}${budget.name}: ${budget.note}`);
  return [...lines, ...notes];
}

/** dist/ (npm run build): scenarios that run the bot as production does run it from there. */
export function buildDist(progress: (message: string) => void): void {
  progress('building dist/ (npm run build)');
  execFileSync(
    process.execPath,
    [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
    { cwd: ROOT, stdio: 'inherit' },
  );
}

// Above this share of the CPUs used by processes the bench did not start, figures are suspect.
const BUSY_MACHINE_SHARE = 0.05;

/** A warning line for each phase during which other work on the machine took CPU time. */
export function busyMachineLines(
  phases: readonly (readonly [string, { othersShare: number } | undefined])[],
): string[] {
  const busy = phases.filter(
    ([, cpu]) => cpu !== undefined && cpu.othersShare > BUSY_MACHINE_SHARE,
  );
  if (busy.length === 0) return [];
  return [
    `  ! Other processes used the CPUs during ${busy.map(([name, cpu]) => `${name} (${percent(cpu?.othersShare)})`).join(', ')}: those figures are suspect; run again on a quiet machine.`,
  ];
}
