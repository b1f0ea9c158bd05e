import type { AccessRequest } from '../../src/domain/request';
import { type LifecycleEvent, transition } from '../../src/workflow/lifecycle';
import { refusalMetrics, stepFamily, transitionMetrics } from '../../src/workflow/request-metrics';
import { ADA, ALAN, MAX, POLICY, pendingOnboarding } from '../support/memory-workflow';

// pendingOnboarding is filed at 10:00 and expires a day later.
const at = (time: string) => new Date(`2026-12-01T${time}.000Z`);
const NO_ROLES = { holder: [] };
const OWNER = 'runner-a';
const CLAIM: LifecycleEvent = {
  type: 'claim',
  owner: OWNER,
  roles: { holder: [], approvers: { [ADA.vamsUserId]: ['admin'], [ALAN.vamsUserId]: ['admin'] } },
};

function next(request: AccessRequest, event: LifecycleEvent, now: Date, policy = POLICY) {
  const result = transition(request, event, now, policy);
  if (!result.ok) throw new Error(`refused: ${result.refusal.code}`);
  return result.request;
}

/** An approved onboarding, claimed at 10:06, with one role step started. */
function running(): AccessRequest {
  const approved = next(
    pendingOnboarding(),
    { type: 'approve', clicker: ADA, roles: NO_ROLES },
    at('10:05:00'),
  );
  const claimed = next(approved, CLAIM, at('10:06:00'));
  return next(claimed, { type: 'step-started', owner: OWNER, step: 'role:viewer' }, at('10:06:30'));
}

describe('transitionMetrics', () => {
  it('counts a request filed', () => {
    expect(transitionMetrics(undefined, pendingOnboarding({ version: 1 }))).toEqual([
      { metric: 'requests', kind: 'user.create', outcome: 'filed' },
    ]);
  });

  it('counts each approval, and times the decision to the one that completed the quorum', () => {
    const policy = { ...POLICY, requiredApprovals: () => 2 };
    const filed = pendingOnboarding({ requiredApprovals: 2 });
    const once = next(
      filed,
      { type: 'approve', clicker: ADA, roles: NO_ROLES },
      at('10:02:00'),
      policy,
    );
    const twice = next(
      once,
      { type: 'approve', clicker: ALAN, roles: NO_ROLES },
      at('10:30:00'),
      policy,
    );
    expect(transitionMetrics(filed, once, at('10:02:00'))).toEqual([
      { metric: 'approvals', kind: 'user.create' },
    ]);
    // The write's time is later than the approval: the approval's own time counts.
    expect(transitionMetrics(once, twice, at('11:00:00'))).toEqual([
      { metric: 'approvals', kind: 'user.create' },
      { metric: 'timeToDecision', kind: 'user.create', outcome: 'approved', seconds: 1800 },
    ]);
  });

  it('times a rejection and a cancellation to their decision, an expiry to its deadline', () => {
    const filed = pendingOnboarding();
    const rejected = next(filed, { type: 'reject', clicker: ADA }, at('10:10:00'));
    const cancelled = next(filed, { type: 'cancel', clicker: MAX }, at('10:01:00'));
    const expired = next(filed, { type: 'expire' }, new Date('2026-12-02T12:00:00.000Z'));
    const later = at('23:00:00');
    expect(transitionMetrics(filed, rejected, later)).toEqual([
      { metric: 'timeToDecision', kind: 'user.create', outcome: 'rejected', seconds: 600 },
      { metric: 'requests', kind: 'user.create', outcome: 'rejected' },
    ]);
    expect(transitionMetrics(filed, cancelled, later)).toEqual([
      { metric: 'timeToDecision', kind: 'user.create', outcome: 'cancelled', seconds: 60 },
      { metric: 'requests', kind: 'user.create', outcome: 'cancelled' },
    ]);
    expect(transitionMetrics(filed, expired, later)).toEqual([
      { metric: 'timeToDecision', kind: 'user.create', outcome: 'expired', seconds: 86_400 },
      { metric: 'requests', kind: 'user.create', outcome: 'expired' },
    ]);
  });

  it('times the effect of a request that ran from filing to its last step', () => {
    const started = running();
    const done = next(
      started,
      { type: 'step-done', owner: OWNER, step: 'role:viewer', detail: 'viewer given' },
      at('10:07:00'),
    );
    const succeeded = next(
      done,
      { type: 'succeed', owner: OWNER, summary: 'done' },
      at('10:09:00'),
    );
    expect(transitionMetrics(started, done, at('10:07:00'))).toEqual([]);
    expect(transitionMetrics(done, succeeded, at('10:09:00'))).toEqual([
      { metric: 'requests', kind: 'user.create', outcome: 'succeeded' },
      { metric: 'timeToEffect', kind: 'user.create', outcome: 'succeeded', seconds: 420 },
    ]);
  });

  it('counts a failed step by its family, never by the user or role it was about', () => {
    const started = running();
    const failed = next(
      started,
      {
        type: 'step-failed',
        owner: OWNER,
        step: 'role:viewer',
        reason: 'ConditionalCheckFailed',
        failure: 'The role could not be given.',
      },
      at('10:08:00'),
    );
    expect(transitionMetrics(started, failed, at('10:20:00'))).toEqual([
      { metric: 'stepFailures', kind: 'user.create', step: 'role' },
      { metric: 'requests', kind: 'user.create', outcome: 'failed' },
      { metric: 'timeToEffect', kind: 'user.create', outcome: 'failed', seconds: 480 },
    ]);

    // Retried: the old failure is not counted again, a new one of the same step is.
    const retried = next(failed, { type: 'retry', clicker: ADA }, at('11:00:00'));
    expect(transitionMetrics(failed, retried, at('11:00:00'))).toEqual([]);
    const again = next(
      next(
        next(retried, CLAIM, at('11:01:00')),
        { type: 'step-started', owner: OWNER, step: 'role:viewer' },
        at('11:01:00'),
      ),
      {
        type: 'step-failed',
        owner: OWNER,
        step: 'role:viewer',
        reason: 'again',
        failure: 'The role could not be given.',
      },
      at('11:02:00'),
    );
    expect(
      transitionMetrics(failed, again).filter((sample) => sample.metric === 'stepFailures'),
    ).toEqual([{ metric: 'stepFailures', kind: 'user.create', step: 'role' }]);
  });

  it('counts a request abandoned before its card was up as failed, with no effect to time', () => {
    const bare = pendingOnboarding({ card: undefined });
    const abandoned = next(bare, { type: 'abandon', failure: 'no card' }, at('10:00:05'));
    expect(transitionMetrics(bare, abandoned, at('10:00:05'))).toEqual([
      { metric: 'requests', kind: 'user.create', outcome: 'failed' },
    ]);
  });

  it('times a decision the request records no time of (break-glass) only with the write time', () => {
    const announced = pendingOnboarding({ card: undefined, requiredApprovals: 0 });
    const granted = next(
      announced,
      { type: 'card-posted', card: { channel: 'C1', ts: '1.2' } },
      at('10:00:03'),
    );
    expect(granted.status).toBe('approved');
    expect(transitionMetrics(announced, granted, at('10:00:03'))).toEqual([
      { metric: 'timeToDecision', kind: 'user.create', outcome: 'approved', seconds: 3 },
    ]);
    expect(transitionMetrics(announced, granted)).toEqual([]);
  });

  it('gives nothing for writes that change no count: reminders, leases, notices', () => {
    const filed = pendingOnboarding();
    const reminded = next(filed, { type: 'nudge' }, at('10:31:00'), {
      ...POLICY,
      nudges: { remindAfterMinutes: 30, escalates: false },
    });
    const started = running();
    const renewed = next(started, { type: 'renew', owner: OWNER }, at('10:06:40'));
    const told = next(started, { type: 'notices', sent: [], failed: [] }, at('10:06:40'));
    expect(transitionMetrics(filed, reminded, at('10:31:00'))).toEqual([]);
    expect(transitionMetrics(started, renewed, at('10:06:40'))).toEqual([]);
    expect(transitionMetrics(started, told, at('10:06:40'))).toEqual([]);
  });

  it('counts no approval for one dropped before the run', () => {
    const approved = next(
      pendingOnboarding(),
      { type: 'approve', clicker: ADA, roles: NO_ROLES },
      at('10:05:00'),
    );
    const recounted = next(
      approved,
      { type: 'claim', owner: OWNER, roles: { holder: [], approvers: {} } },
      at('10:06:00'),
    );
    expect(recounted.status).toBe('pending');
    expect(transitionMetrics(approved, recounted, at('10:06:00'))).toEqual([]);
  });
});

describe('stepFamily and refusalMetrics', () => {
  it('keeps a step name without what it is about', () => {
    expect(
      ['roles:nia', 'cognito:nia@example.com', 'role:viewer', 'cognito-create'].map(stepFamily),
    ).toEqual(['roles', 'cognito', 'role', 'cognito-create']);
  });

  it('labels a refusal with the action and the stable code', () => {
    expect(refusalMetrics('approve', { code: 'own-request' })).toEqual([
      { metric: 'refusals', action: 'approve', reason: 'own-request' },
    ]);
  });
});
