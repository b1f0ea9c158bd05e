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
