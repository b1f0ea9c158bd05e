import type { CpuSplit } from './cpu-usage';
import type { OpenLoopResult } from './open-loop';
import type { LatencyStats } from './stats';

// Figures more than one scenario reports.

export interface LoadRun {
  result: OpenLoopResult;
  /** Share of the phase the bench process's event loop (generator, signer, stand-in) was busy. */
  eventLoopBusy: number;
  cpu: CpuSplit | undefined;
}

export interface StartUpFigures {
  runsMs: number[];
  medianMs: number;
  stopMs: number[];
  /** 0 when the bot stopped cleanly on SIGTERM; null when it had to be killed. */
  exitCodes: (number | null)[];
  rssMb: (number | undefined)[];
  leftovers: number;
  cpu: CpuSplit | undefined;
}

/** `/vams user list` against a pool seeded with thousands of Cognito users. */
export interface UserListFigures {
  /** Cognito users in the pool the bot lists: the seeded ones and the bench's admin. */
  poolUsers: number;
  seeding: { users: number; concurrency: number; ms: number };
  warmUpRuns: number;
  /** Signed `/vams user list` → its first page recorded at the stand-in's response_url. */
  firstPage: { errors: number; errorSamples: string[]; latency: LatencyStats };
  /** Over the timed runs, to tell whether other work on the machine slowed them. */
  cpu: CpuSplit | undefined;
  /** One `/vams user list <prefix>`, after the runs above; NaN when it failed. */
  prefix: { prefix: string; ms: number; error: string | undefined };
  /** ListUsers (Limit 60, no filter) sent straight from the SDK to the same pool. */
  directListUsers: LatencyStats;
}
