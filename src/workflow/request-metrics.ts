import type { MetricSample } from '../domain/metrics';
import type { AccessRequest, RequestStatus } from '../domain/request';

const DECIDED: ReadonlySet<RequestStatus> = new Set([
  'approved',
  'rejected',
  'expired',
  'cancelled',
]);
const TERMINAL: ReadonlySet<RequestStatus> = new Set([
  'succeeded',
  'failed',
  'rejected',
  'expired',
  'cancelled',
]);

/**
 * A step's name without what it is about: offboarding's `roles:<user id>` and onboarding's
 * `role:<role>` are one step family each, so that no user id becomes a label.
 */
export function stepFamily(name: string): string {
  const colon = name.indexOf(':');
  return colon === -1 ? name : name.slice(0, colon);
}

function seconds(from: string, to: number): number | undefined {
  const start = Date.parse(from);
  if (Number.isNaN(start) || Number.isNaN(to)) return undefined;
  return Math.max(0, (to - start) / 1000);
}

function latest(times: readonly string[]): number | undefined {
  const parsed = times.map(Date.parse).filter((at) => !Number.isNaN(at));
  return parsed.length > 0 ? Math.max(...parsed) : undefined;
}

/** When a decision was taken, by what the request records of it. */
function decidedAt(after: AccessRequest, now: Date | undefined): number | undefined {
  switch (after.status) {
    case 'approved':
      // Break-glass is approved by its announcement and records no time for it.
      return latest(after.approvals.map((approval) => approval.at)) ?? now?.getTime();
    case 'rejected':
    case 'cancelled':
      return after.decision ? Date.parse(after.decision.at) : now?.getTime();
    case 'expired':
      // It expired then, whenever the sweep noticed.
      return Date.parse(after.expiresAt);
    default:
      return undefined;
  }
}

function newlyFailed(before: AccessRequest | undefined, after: AccessRequest) {
  return after.steps.filter(
    (step) =>
      step.status === 'failed' &&
      !before?.steps.some(
        (earlier) =>
          earlier.name === step.name && earlier.status === 'failed' && earlier.at === step.at,
      ),
  );
}

/** When a request that ran ended: its failed step, else its last step, else the write. */
function endedAt(
  after: AccessRequest,
  failed: ReturnType<typeof newlyFailed>,
  now: Date | undefined,
): number | undefined {
  const failedAt = latest(failed.map((step) => step.at));
  if (after.status === 'failed') return failedAt ?? now?.getTime();
  return latest(after.steps.map((step) => step.at)) ?? now?.getTime();
}

/**
 * The samples one written change of a request gives: `before` as it was stored (undefined when
 * the write filed it), `after` as written. Times come from what the request records (approval,
 * decision, expiry and step times); `now`, the write's time, stands in where it records none,
 * and without it that time is not sampled.
 *
 * Both times count from filing (`createdAt`): time to decision up to the approval that
 * completed the quorum (or the rejection, cancellation, expiry); time to effect up to the end
 * of a request that ran, so it includes the wait for approvers, as the requester lives it.
 */
export function transitionMetrics(
  before: AccessRequest | undefined,
  after: AccessRequest,
  now?: Date,
): MetricSample[] {
  const { kind } = after;
  const samples: MetricSample[] = [];
  if (!before) samples.push({ metric: 'requests', kind, outcome: 'filed' });

  const counted = new Set(
    before?.approvals.map((approval) => `${approval.vamsUserId}@${approval.at}`),
  );
  for (const approval of after.approvals) {
    if (!counted.has(`${approval.vamsUserId}@${approval.at}`)) {
      samples.push({ metric: 'approvals', kind });
    }
  }

  const failed = newlyFailed(before, after);
  for (const step of failed) {
    samples.push({ metric: 'stepFailures', kind, step: stepFamily(step.name) });
  }

  if (!before || before.status === after.status) return samples;
  const outcome = after.status;

  if (before.status === 'pending' && DECIDED.has(outcome)) {
    const at = decidedAt(after, now);
    const elapsed = at === undefined ? undefined : seconds(after.createdAt, at);
    if (elapsed !== undefined) {
      samples.push({ metric: 'timeToDecision', kind, outcome, seconds: elapsed });
    }
  }

  if (TERMINAL.has(outcome)) samples.push({ metric: 'requests', kind, outcome });

  // Only a request that ran had an effect: one abandoned before its card was up did not.
  const ran = before.status === 'executing' || before.status === 'approved';
  if (ran && (outcome === 'succeeded' || outcome === 'failed')) {
    const at = endedAt(after, failed, now);
    const elapsed = at === undefined ? undefined : seconds(after.createdAt, at);
    if (elapsed !== undefined) {
      samples.push({ metric: 'timeToEffect', kind, outcome, seconds: elapsed });
    }
  }
  return samples;
}

/** A refused click or command: what was tried and the refusal's stable code. */
export function refusalMetrics(action: string, refusal: { code: string }): MetricSample[] {
  return [{ metric: 'refusals', action, reason: refusal.code }];
}
