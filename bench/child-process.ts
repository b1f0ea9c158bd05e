import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { descendantsOf, isAlive } from '../test/support/processes';

// Every process the bench spawns (bots, the bare Bolt app) goes through here, so that it and
// whatever it started die with the bench even if the bench is interrupted half-way: an exit
// handler cannot wait for a SIGTERM to be honoured, so it kills the whole family at once.

export const ROOT = resolve(__dirname, '..');
const POLL_INTERVAL_MS = 10;
const POLL_TIMEOUT_MS = 1000;
const STOP_GRACE_MS = 5000;

const spawned = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of spawned) {
    const family = child.pid === undefined ? [] : descendantsOf(child.pid);
    child.kill('SIGKILL');
    for (const pid of family) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }
});

/** Only what a server needs: nothing from the developer's shell changes the figures. */
export function baseEnvironment(): Record<string, string> {
  return { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' };
}

export interface Spawned {
  child: ChildProcess;
  /** The last 2,000 characters the process wrote to stderr. */
  stderrTail(): string;
}

/**
 * Spawns `node <args>` in the repository, registered for clean-up. Its stdout is ignored unless
 * `onStdoutLine` is given, which then sees every line it writes.
 */
export function spawnNode(
  args: readonly string[],
  env: Record<string, string>,
  onStdoutLine?: (line: string) => void,
): Spawned {
  const child = spawn(process.execPath, [...args], {
    cwd: ROOT,
    env,
    stdio: ['ignore', onStdoutLine ? 'pipe' : 'ignore', 'pipe'],
  });
  spawned.add(child);
  child.once('exit', () => spawned.delete(child));
  let tail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-2000);
  });
  if (onStdoutLine && child.stdout) {
    let partial = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) onStdoutLine(line);
    });
  }
  return { child, stderrTail: () => tail.trim() };
}

/** True once `url` answers at all, with any status. */
export async function answers(url: string, status?: number): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(POLL_TIMEOUT_MS) });
    await response.arrayBuffer();
    return status === undefined || response.status === status;
  } catch {
    return false;
  }
}

/** Polls `ready` until it holds; milliseconds from `startedAt` to then. */
export async function waitUntilReady(
  what: string,
  spawnedProcess: Spawned,
  ready: () => Promise<boolean>,
  startedAt: number,
  withinMs: number,
): Promise<number> {
  const { child } = spawnedProcess;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `${what} exited with ${child.exitCode ?? child.signalCode} before it served: ${spawnedProcess.stderrTail()}`,
      );
    }
    if (performance.now() - startedAt > withinMs) {
      throw new Error(
        `${what} did not serve within ${withinMs} ms: ${spawnedProcess.stderrTail()}`,
      );
    }
    if (await ready()) return performance.now() - startedAt;
    await sleep(POLL_INTERVAL_MS);
  }
}

/** Resident memory of one process (Linux /proc); undefined when it is gone or not Linux. */
export function residentMb(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kilobytes = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
    return kilobytes === undefined ? undefined : Number(kilobytes) / 1024;
  } catch {
    return undefined;
  }
}

export interface Stopped {
  /** From SIGTERM to exit. */
  stopMs: number;
  /** 0 when it stopped cleanly on SIGTERM; null when it had to be killed. */
  exitCode: number | null;
  /** Processes below it still alive after it exited (killed here). */
  leftovers: number;
}

/** SIGTERM, SIGKILL after a grace period, then SIGKILL to anything it left behind. */
export async function stopProcess(child: ChildProcess): Promise<Stopped> {
  const family = descendantsOf(child.pid ?? -1);
  const started = performance.now();
  if (child.exitCode === null && child.signalCode === null) {
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const force = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(force);
  }
  const stopMs = performance.now() - started;
  // Give its own children a moment to go after it, then end any that stayed.
  await sleep(200);
  const leftovers = family.filter(isAlive);
  for (const leftover of leftovers) {
    try {
      process.kill(leftover, 'SIGKILL');
    } catch {
      // Gone in the meantime.
    }
  }
  return { stopMs, exitCode: child.exitCode, leftovers: leftovers.length };
}
