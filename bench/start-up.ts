import { freePort } from '../src/backend/local-services';
import { HEALTH_PATH } from '../src/slack/slack-runtime';
import {
  answers,
  baseEnvironment,
  residentMb,
  type Stopped,
  spawnNode,
  stopProcess,
  waitUntilReady,
} from './child-process';

// What `npm start` execs, and what a deployment runs after `npm run build`.
export const NPM_START_ARGS = ['--import', 'tsx', 'src/app.ts'];
export const COMPILED_ARGS = ['dist/app.js'];

export interface StartUpRun extends Stopped {
  /** From spawn to the first 200 from /healthz. */
  healthyMs: number;
  /** The bot's resident memory when it first answered, idle. */
  rssMb: number | undefined;
}

/** Spawns the bot as `npm start` does and times it to its first healthy answer. */
export async function timeStartUp(
  env: Record<string, string>,
  withinMs: number,
  args: readonly string[] = NPM_START_ARGS,
): Promise<StartUpRun> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}${HEALTH_PATH}`;
  const started = performance.now();
  const bot = spawnNode(args, { ...baseEnvironment(), ...env, PORT: String(port) });
  try {
    const healthyMs = await waitUntilReady(
      'the bot',
      bot,
      () => answers(url, 200),
      started,
      withinMs,
    );
    const rssMb = residentMb(bot.child.pid);
    const stopped = await stopProcess(bot.child);
    return { healthyMs, rssMb, ...stopped };
  } catch (error) {
    await stopProcess(bot.child);
    throw error;
  }
}
