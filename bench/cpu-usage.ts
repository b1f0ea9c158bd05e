import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { descendantsOf } from '../test/support/processes';

// Where the machine's CPU time went during a phase, from Linux /proc: the server under load (the
// bot or the bare Bolt app, each a process of its own), the bench process (load generator and
// Slack stand-in), the emulators it started, its other children, and everything else. Other work
// on the machine (a test run, a build) shows up as "others" and makes figures suspect.

export interface CpuSnapshot {
  atMs: number;
  machineBusyMs: number;
  /** CPU time so far of the bench process and each process below it, by pid. */
  own: Map<number, { name: string; ms: number }>;
  /** Of children that have exited and been waited for, theirs included, e.g. a stopped bot. */
  reapedMs: number;
  /** The server under load and the processes below it, when there is one. */
  server: Set<number>;
}

export interface CpuSplit {
  wallMs: number;
  cpus: number;
  /** The server under load: the bot or the bare Bolt app, with anything below it. */
  serverProcessMs: number;
  /** The load generator, the signer and the Slack stand-in. */
  benchProcessMs: number;
  emulatorsMs: number;
  /** The bench's other children: a bot being started, npm, a shell. */
  otherOwnMs: number;
  /** CPU used by processes the bench did not start. */
  othersMs: number;
  /** CPU used by processes the bench did not start, as a share of all CPUs over the phase. */
  othersShare: number;
}

const EMULATORS = new Set(['java', 'python3', 'python']);

let clockTicksCache: number | undefined;
function msPerTick(): number {
  if (clockTicksCache === undefined) {
    try {
      clockTicksCache = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    } catch {
      clockTicksCache = 100;
    }
  }
  return 1000 / (clockTicksCache || 100);
}

interface ProcessCpu {
  name: string;
  ms: number;
  reapedMs: number;
}

function processCpu(pid: number): ProcessCpu | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    // utime, stime, cutime, cstime: fields 14 to 17, the 12th to 15th after the command name.
    const fields = stat
      .slice(stat.lastIndexOf(')') + 2)
      .split(' ')
      .map(Number);
    const [utime = 0, stime = 0, cutime = 0, cstime = 0] = fields.slice(11, 15);
    return { name, ms: (utime + stime) * msPerTick(), reapedMs: (cutime + cstime) * msPerTick() };
  } catch {
    return undefined;
  }
}

function machineBusyMs(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  // cpu user nice system idle iowait irq softirq steal ...
  const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
  const busy = [user, nice, system, irq, softirq, steal].reduce<number>(
    (sum, value) => sum + (value ?? 0),
    0,
  );
  return busy * msPerTick();
}

/**
 * Undefined where /proc is not there (not Linux): the split is then left out. `serverPid` is the
 * process under load, if any, counted apart from the bench's other children.
 */
export function cpuSnapshot(serverPid?: number): CpuSnapshot | undefined {
  try {
    const server = new Set<number>(
      serverPid === undefined ? [] : [serverPid, ...descendantsOf(serverPid)],
    );
    const own = new Map<number, { name: string; ms: number }>();
    for (const pid of [process.pid, ...descendantsOf(process.pid)]) {
      const usage = processCpu(pid);
      if (usage) own.set(pid, { name: usage.name, ms: usage.ms });
    }
    const reapedMs = processCpu(process.pid)?.reapedMs ?? 0;
    return { atMs: performance.now(), machineBusyMs: machineBusyMs(), own, reapedMs, server };
  } catch {
    return undefined;
  }
}

function ownTotalMs(snapshot: CpuSnapshot): number {
  let total = snapshot.reapedMs;
  for (const usage of snapshot.own.values()) total += usage.ms;
  return total;
}

export function cpuBetween(start: CpuSnapshot, end: CpuSnapshot): CpuSplit {
  let serverProcessMs = 0;
  let benchProcessMs = 0;
  let emulatorsMs = 0;
  for (const [pid, usage] of end.own) {
    const used = usage.ms - (start.own.get(pid)?.ms ?? 0);
    if (pid === process.pid) benchProcessMs += used;
    else if (start.server.has(pid) || end.server.has(pid)) serverProcessMs += used;
    else if (EMULATORS.has(usage.name)) emulatorsMs += used;
  }
  const ownMs = ownTotalMs(end) - ownTotalMs(start);
  const otherOwnMs = Math.max(0, ownMs - serverProcessMs - benchProcessMs - emulatorsMs);
  const wallMs = end.atMs - start.atMs;
  const count = cpus().length;
  const othersMs = end.machineBusyMs - start.machineBusyMs - ownMs;
  return {
    wallMs,
    cpus: count,
    serverProcessMs,
    benchProcessMs,
    emulatorsMs,
    otherOwnMs,
    othersMs: Math.max(0, othersMs),
    othersShare: Math.max(0, othersMs) / (wallMs * count),
  };
}
