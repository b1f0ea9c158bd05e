import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { ROOT } from './child-process';
import { table } from './harness';

// Reads a V8 CPU profile (`node --cpu-prof`, or BENCH_CPU_PROF=<dir> for the bench's bots) and
// prints where the time went: self time by package (or the bot's own source) and by function.
// `node --import tsx bench/profile-summary.ts <file.cpuprofile> [rows]`

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function owner(url: string): string {
  if (url === '') return '(V8: GC, idle, native)';
  if (url.startsWith('node:')) return 'node core';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + 'node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? url);
  }
  return relative(ROOT, url.replace(/^file:\/\//, ''));
}

function main(): void {
  const [file, rowsText] = process.argv.slice(2);
  if (!file) throw new Error('usage: bench/profile-summary.ts <file.cpuprofile> [rows]');
  const rows = Number(rowsText ?? 25);
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, index) => {
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0));
  });
  const byOwner = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let totalUs = 0;
  let idleUs = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    totalUs += us;
    if (functionName === '(idle)') {
      idleUs += us;
      continue;
    }
    const where = owner(url);
    byOwner.set(
      where.startsWith('dist/') ? 'the bot (dist/)' : where,
      (byOwner.get(where.startsWith('dist/') ? 'the bot (dist/)' : where) ?? 0) + us,
    );
    const name = `${functionName || '(anonymous)'} ${where}:${lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
  }
  const busyUs = totalUs - idleUs;
  const top = (map: Map<string, number>) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, rows)
      .map(([name, us]) => [name, (us / 1000).toFixed(0), `${((us / busyUs) * 100).toFixed(1)} %`]);
  process.stdout.write(
    [
      `${file}: ${(totalUs / 1e6).toFixed(1)} s sampled, busy ${(busyUs / 1e6).toFixed(2)} s`,
      '',
      ...table(['self time by package', 'ms', 'of busy'], top(byOwner)),
      '',
      ...table(['self time by function', 'ms', 'of busy'], top(byFunction)),
      '',
    ].join('\n'),
  );
}

main();
