import { setTimeout as sleep } from 'node:timers/promises';

// Cognito answers TooManyRequestsException past its per-category quota; DynamoDB and others
// use ThrottlingException. Both mean "later", never "failed".
const THROTTLED = new Set(['TooManyRequestsException', 'ThrottlingException']);

function isThrottled(error: unknown): boolean {
  return error instanceof Error && THROTTLED.has(error.name);
}

export interface BackoffOptions {
  attempts: number;
  baseMs: number;
  maxMs: number;
  wait: (ms: number) => Promise<unknown>;
}

const DEFAULT_BACKOFF: BackoffOptions = { attempts: 10, baseMs: 100, maxMs: 5000, wait: sleep };

/**
 * Retries a throttled call with exponential backoff and full jitter, beyond the SDK's own few
 * attempts: bulk work slows down to the quota instead of failing.
 */
export async function retryThrottled<T>(
  call: () => Promise<T>,
  options: Partial<BackoffOptions> = {},
): Promise<T> {
  const { attempts, baseMs, maxMs, wait } = { ...DEFAULT_BACKOFF, ...options };
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      if (!isThrottled(error) || attempt >= attempts) throw error;
      await wait(Math.random() * Math.min(maxMs, baseMs * 2 ** attempt));
    }
  }
}

export interface PaceClock {
  /** Milliseconds, from any fixed point. */
  now: () => number;
  wait: (ms: number) => Promise<unknown>;
}

const REAL_CLOCK: PaceClock = { now: () => performance.now(), wait: sleep };

/**
 * At most `perSecond` calls a second, in the order they asked, each at least 1/perSecond after
 * the one before it actually went. No burst is saved up while idle and none is made up after a
 * late start, so no one second ever sees more than `perSecond` of them leave.
 */
export class CallPace {
  private readonly intervalMs: number;
  private nextAt = Number.NEGATIVE_INFINITY;
  private last: Promise<void> = Promise.resolve();

  constructor(
    perSecond: number,
    private readonly clock: PaceClock = REAL_CLOCK,
  ) {
    if (!(perSecond > 0)) throw new RangeError('a pace needs calls per second above 0');
    this.intervalMs = 1000 / perSecond;
  }

  /** Resolves when the caller's turn has come. */
  turn(): Promise<void> {
    const mine = this.last.then(async () => {
      const early = this.nextAt - this.clock.now();
      if (early > 0) await this.clock.wait(early);
      this.nextAt = this.clock.now() + this.intervalMs;
    });
    this.last = mine;
    return mine;
  }
}
