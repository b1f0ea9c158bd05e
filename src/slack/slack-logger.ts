import { inspect } from 'node:util';
import { LogLevel, type Logger as SlackLogger } from '@slack/bolt';
import type { AppLogger } from '../logging';

const SLACK_LEVELS: Record<LogLevel, number> = {
  [LogLevel.DEBUG]: 20,
  [LogLevel.INFO]: 30,
  [LogLevel.WARN]: 40,
  [LogLevel.ERROR]: 50,
};

function describe(parts: unknown[]): string {
  return parts
    .map((part) => (typeof part === 'string' ? part : inspect(part, { depth: 3 })))
    .join(' ');
}

/**
 * Bolt and the WebClient log through this. `floor` is a level below which nothing is written
 * whatever Bolt asks for: the WebClient logs whole request bodies (DMs included) at debug.
 */
export function slackLoggerFor(base: AppLogger, name: string, floor: LogLevel): SlackLogger {
  let level = floor;
  const write = (wanted: LogLevel, parts: unknown[]): void => {
    if (SLACK_LEVELS[wanted] < SLACK_LEVELS[level] || SLACK_LEVELS[wanted] < SLACK_LEVELS[floor])
      return;
    base[wanted]({ component: name }, describe(parts));
  };
  return {
    debug: (...parts: unknown[]) => write(LogLevel.DEBUG, parts),
    info: (...parts: unknown[]) => write(LogLevel.INFO, parts),
    warn: (...parts: unknown[]) => write(LogLevel.WARN, parts),
    error: (...parts: unknown[]) => write(LogLevel.ERROR, parts),
    setLevel: (next: LogLevel) => {
      level = next;
    },
    getLevel: () => level,
    setName: (next: string) => {
      name = next;
    },
  };
}
