import { setTimeout as sleep } from 'node:timers/promises';
import { type LatencyStats, latencyStats } from './stats';

export interface OpenLoopOptions {
  ratePerSecond: number;
  durationMs: number;
  /** One request; resolves once its answer is read, rejects when it failed. */
  send(index: number): Promise<void>;
}

export interface OpenLoopResult {
  sent: number;
  errors: number;
  /** Up to a few distinct error messages, to show why requests failed. */
  errorSamples: string[];
  latency: LatencyStats;
  /** How late each send left against its schedule: large values mean the generator fell behind. */
  sendLag: LatencyStats;
  wallMs: number;
}

const ERROR_SAMPLES = 3;

/**
 * Sends on a fixed schedule whatever the answers do (open loop), so a slow server meets the
 * same arrival rate as a fast one instead of slowing the load down with it.
 */
export async function runOpenLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const intervalMs = 1000 / options.ratePerSecond;
  const total = Math.round((options.ratePerSecond * options.durationMs) / 1000);
  const latencies: number[] = [];
  const lags: number[] = [];
  const errorSamples = new Set<string>();
  let errors = 0;
  const inFlight: Promise<void>[] = [];
  const started = performance.now();
  for (let index = 0; index < total; index += 1) {
    const due = started + index * intervalMs;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const sentAt = performance.now();
    lags.push(sentAt - due);
    inFlight.push(
      options.send(index).then(
        () => {
          latencies.push(performance.now() - sentAt);
        },
        (error: unknown) => {
          errors += 1;
          if (errorSamples.size < ERROR_SAMPLES) {
            errorSamples.add(error instanceof Error ? error.message : String(error));
          }
        },
      ),
    );
  }
  await Promise.all(inFlight);
  return {
    sent: total,
    errors,
    errorSamples: [...errorSamples],
    latency: latencyStats(latencies),
    sendLag: latencyStats(lags),
    wallMs: performance.now() - started,
  };
}
