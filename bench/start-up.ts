import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../src/backend/local-services';
import { HEALTH_PATH } from '../src/slack/slack-runtime';
import { descendantsOf, isAlive } from '../test/support/processes';

const ROOT = resolve(__dirname, '..');
const POLL_INTERVAL_MS = 10;
const POLL_TIMEOUT_MS = 1000;
const STOP_GRACE_MS = 5000;
// What `npm start` execs, and what a deployment runs after `npm run build`.
export const NPM_START_ARGS = ['--import', 'tsx', 'src/app.ts'];
export const COMPILED_ARGS = ['dist/app.js'];

export interface StartUpRun {
  /** From spawn to the first 200 from /healthz. */
  healthyMs: number;
  /** The bot's resident memory when it first answered, idle. */
  rssMb: number | undefined;
  /** From SIGTERM to exit. */
  stopMs: number;
  exitCode: number | null;
  /** Processes below the bot still alive after it exited (killed by the bench). */
  leftovers: number;
}

// Bots spawned here, and the emulators a local one starts, die with the bench even if it is
// interrupted half-way: an exit handler cannot wait for a SIGTERM to be honoured.
const spawned = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of spawned) {
    const family = child.pid === undefined ? [] : descendantsOf(child.pid);
    child.kill('SIGKILL');
    for (const pid of family) process.kill(pid, 'SIGKILL');
  }
});

function stderrTail(child: ChildProcess): () => string {
  let tail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-2000);
  });
  return () => tail.trim();
}

async function isHealthy(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(POLL_TIMEOUT_MS) });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

function residentMb(pid: number | undefined): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kilobytes = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
    return kilobytes === undefined ? undefined : Number(kilobytes) / 1024;
  } catch {
    return undefined;
  }
}

async function stopBot(child: ChildProcess): Promise<{ stopMs: number; leftovers: number }> {
  const pid = child.pid ?? -1;
  const family = descendantsOf(pid);
  const started = performance.now();
  if (child.exitCode === null && child.signalCode === null) {
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const force = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(force);
  }
  const stopMs = performance.now() - started;
  // Give the bot's own children a moment to go after it, then end any that stayed.
  await sleep(200);
  const leftovers = family.filter(isAlive);
  for (const leftover of leftovers) process.kill(leftover, 'SIGKILL');
  return { stopMs, leftovers: leftovers.length };
}

/** Spawns the bot as `npm start` does and times it to its first healthy answer. */
export async function timeStartUp(
  env: Record<string, string>,
  withinMs: number,
  args: readonly string[] = NPM_START_ARGS,
): Promise<StartUpRun> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}${HEALTH_PATH}`;
  // Only what the bot needs: nothing from the developer's shell changes the figure.
  const base = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' };
  const started = performance.now();
  const child = spawn(process.execPath, [...args], {
    cwd: ROOT,
    env: { ...base, ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  spawned.add(child);
  child.once('exit', () => spawned.delete(child));
  const tail = stderrTail(child);
  try {
    let healthyMs: number | undefined;
    while (healthyMs === undefined) {
      if (child.exitCode !== null) {
        throw new Error(`the bot exited with ${child.exitCode} before /healthz: ${tail()}`);
      }
      if (performance.now() - started > withinMs) {
        throw new Error(`/healthz did not answer 200 within ${withinMs} ms: ${tail()}`);
      }
      if (await isHealthy(url)) healthyMs = performance.now() - started;
      else await sleep(POLL_INTERVAL_MS);
    }
    const rssMb = residentMb(child.pid);
    const stopped = await stopBot(child);
    return { healthyMs, rssMb, ...stopped, exitCode: child.exitCode };
  } catch (error) {
    await stopBot(child);
    throw error;
  }
}
