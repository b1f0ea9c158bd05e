import { inspect } from 'node:util';
import pino from 'pino';
import type { LogLevel as ConfigLogLevel } from './config';

export type AppLogger = pino.Logger;

// Secrets never reach a log line, whatever a library decides to print: tokens, signing
// secrets and API key values are recognisable by shape and replaced before writing.
const SECRET_PATTERNS: readonly RegExp[] = [
  /vams_[A-Za-z0-9_-]{16,}/g,
  /xox[abposer]-[A-Za-z0-9-]+/g,
  /xapp-[A-Za-z0-9-]+/g,
  /v0=[0-9a-f]{64}/g,
];

export function scrubSecrets(text: string): string {
  return SECRET_PATTERNS.reduce(
    (scrubbed, pattern) => scrubbed.replace(pattern, '[redacted]'),
    text,
  );
}

// Fields named like secrets are censored at any depth, whatever their value: a temporary
// password has no shape to recognise it by.
const SECRET_FIELD =
  /^(authorization|password|temporarypassword|token|bottoken|apptoken|apikey|signingsecret|secret)$/i;

/** Where the bot's log lines go unless told otherwise: stdout, written asynchronously. */
export function stdoutDestination() {
  return pino.destination({ fd: 1, sync: false });
}

export function createLogger(
  level: ConfigLogLevel,
  destination: pino.DestinationStream = stdoutDestination(),
): AppLogger {
  return pino(
    {
      level,
      base: undefined,
      formatters: { level: (label) => ({ level: label }) },
      // Errors arrive already turned into {type, message, stack}; pino's own serializer would
      // call them "Object".
      serializers: { err: (err: unknown) => err },
      hooks: {
        // The last word on every line, child-logger bindings included.
        streamWrite: scrubSecrets,
        logMethod(args, method) {
          const scrubbed = args.map((arg: unknown) => {
            if (typeof arg === 'string') return scrubSecrets(arg);
            if (arg instanceof Error) return { err: scrubSecrets(inspect(arg)) };
            if (arg && typeof arg === 'object') return JSON.parse(scrubSecrets(safeJson(arg)));
            return arg;
          });
          method.apply(this, scrubbed as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}

function forLog(key: string, value: unknown): unknown {
  if (SECRET_FIELD.test(key) && value !== undefined && value !== null) return '[redacted]';
  if (value instanceof Error)
    return { type: value.name, message: value.message, stack: value.stack };
  return value;
}

function safeJson(value: object): string {
  try {
    return JSON.stringify(value, forLog) ?? '{}';
  } catch {
    return JSON.stringify({ unserialisable: inspect(value, { depth: 2 }) });
  }
}
