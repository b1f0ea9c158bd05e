import {
  type ApprovalPolicy,
  approverRefusal,
  type DecisionRefusal,
  decideOn,
  decideRetry,
  privilegedRoles,
  quorumOf,
} from '../auth/approval-policy';
import type { Identity } from '../auth/identity';
import { standingOf } from '../auth/roles';
import {
  type AccessRequest,
  awaitsReview,
  type DetailPart,
  type DroppedApproval,
  type Notice,
  type Person,
  REVIEW_WINDOW_MS,
  type RequestKind,
  type StepRecord,
} from '../domain/request';

/** What the lifecycle needs to know besides the request: the approval rules and the lease. */
export interface LifecyclePolicy extends ApprovalPolicy {
  /** Distinct approvers a kind needs before privilege is counted (offboarding: OFFBOARD_APPROVALS). */
  requiredApprovals(kind: RequestKind): number;
  /** How long a runner holds a request without renewing before another may take it over. */
  leaseMs: number;
  /** Nudging approvers of an undecided request; none when absent. */
  nudges?: NudgePolicy;
}

export interface NudgePolicy {
  /** The first reminder; each next one comes twice as long after the one before. */
  remindAfterMinutes: number;
  /** Whether requests past half their time to decide are escalated. */
  escalates: boolean;
}

/** At most this many reminders per request. */
export const MAX_REMINDERS = 3;
/**
 * A break-glass review is reminded of until it is done; the gaps double, so this many reach
 * well past its 24 hours (with 30 minutes: the tenth comes after about three weeks).
 */
export const MAX_REVIEW_REMINDERS = 10;

/** When reminder `index` (0-based) is due: after R, then 2R later, then 4R later. */
function reminderAt(request: AccessRequest, index: number, policy: NudgePolicy): number {
  return (
    Date.parse(request.createdAt) + policy.remindAfterMinutes * 60_000 * (2 ** (index + 1) - 1)
  );
}

function escalationAt(request: AccessRequest): number {
  const created = Date.parse(request.createdAt);
  return created + (Date.parse(request.expiresAt) - created) / 2;
}

/**
 * What an undecided request is owed now: an escalation past half its time, else the next
 * reminder. Reminders missed while no process ran are skipped, not sent in a burst.
 */
export function nudgeDue(
  request: AccessRequest,
  now: Date,
  policy: Pick<LifecyclePolicy, 'nudges'>,
): { type: 'escalation' } | { type: 'reminder'; count: number } | undefined {
  const { nudges } = policy;
  if (!nudges || !request.card) return undefined;
  const at = now.getTime();
  // A break-glass grant is owed its review: reminders until it has one, raised past half the
  // review window, and never given up.
  const reviewing =
    awaitsReview(request) && (request.status === 'succeeded' || request.status === 'failed');
  if (!reviewing && (request.status !== 'pending' || at >= Date.parse(request.expiresAt))) {
    return undefined;
  }
  const raiseAt = reviewing
    ? Date.parse(request.createdAt) + REVIEW_WINDOW_MS / 2
    : escalationAt(request);
  if (nudges.escalates && !request.escalated && at >= raiseAt) {
    return { type: 'escalation' };
  }
  const most = reviewing ? MAX_REVIEW_REMINDERS : MAX_REMINDERS;
  let count = request.reminders ?? 0;
  while (count < most && reminderAt(request, count, nudges) <= at) count += 1;
  return count > (request.reminders ?? 0) ? { type: 'reminder', count } : undefined;
}

/** VAMS roles read just before the event, for the rules that depend on them. */
export interface LiveRoles {
  /** The roles of whoever the request would give power to (a key's owner); see `privilegeHolder`. */
  holder: readonly string[];
  /** Approvers' roles now, by VAMS user ID. */
  approvers?: Readonly<Record<string, readonly string[]>>;
}

export type LifecycleEvent =
  | { type: 'submit'; roles: LiveRoles }
  | { type: 'card-posted'; card: { channel: string; ts: string } }
  /** The card could not be posted: nobody could decide the request. */
  | { type: 'abandon'; failure: string }
  | { type: 'approve'; clicker: Identity; roles: LiveRoles }
  | { type: 'reject'; clicker: Identity; comment?: string }
  | { type: 'cancel'; clicker: Identity }
  | { type: 'expire' }
  /** Approvers reminded, or the request escalated, when one is due (`nudgeDue`). */
  | { type: 'nudge' }
  | { type: 'claim'; owner: string; roles: LiveRoles }
  | { type: 'renew'; owner: string }
  | { type: 'step-started'; owner: string; step: string }
  | {
      type: 'step-done';
      owner: string;
      step: string;
      detail: string;
      detailParts?: DetailPart[];
      output?: unknown;
    }
  | { type: 'step-failed'; owner: string; step: string; reason: string; failure: string }
  | { type: 'succeed'; owner: string; summary: string }
  | { type: 'retry'; clicker: Identity }
  /** An admin other than the grantee looked at a break-glass grant: kept, or revoked now. */
  | { type: 'review'; clicker: Identity; outcome: 'reviewed' | 'revoked' }
  /**
   * Something that happened after a request succeeded, because of it (a grant it gave ended):
   * said in its thread and, with `dm`, to one person. Told once per key.
   */
  | {
      type: 'afterword';
      key: string;
      thread: string;
      dm?: { slackUserId: string; text: string };
      audit: AuditEntry;
    }
  /**
   * Notices delivered, and notices whose delivery failed this time. A card notice stays when
   * what the card shows changed since it was drawn.
   */
  | {
      type: 'notices';
      sent: readonly string[];
      failed: readonly string[];
      /** What the card was drawn from (`cardState`), when a card notice was sent. */
      cardDrawn?: string;
    };

export type LifecycleRefusal =
  | DecisionRefusal
  | { code: 'not-approved'; status: AccessRequest['status'] }
  | { code: 'lease-held'; owner: string }
  | { code: 'lease-lost' }
  | { code: 'not-due' }
  | { code: 'card-already-posted' }
  | { code: 'not-new' };

/** One line for the audit trail, written once the change it describes is stored. */
export interface AuditEntry {
  type: string;
  actor?: string;
  detail?: Record<string, unknown>;
}

export type Transition =
  | { ok: true; request: AccessRequest; audit: AuditEntry[] }
  | { ok: false; refusal: LifecycleRefusal; request: AccessRequest };

/**
 * A notice is given up after this many failed deliveries (each logged); the sweep waits a lease,
 * then twice as long after each failure, up to an hour: about five hours in all.
 */
export const NOTICE_TRIES = 10;
const NOTICE_BACKOFF_CAP_MS = 3_600_000;

/** When the sweep may deliver a notice: a lease after it was written or last failed, and
 * twice as long after each failure. */
export function noticeDue(notice: Notice, policy: Pick<LifecyclePolicy, 'leaseMs'>): number {
  const wait = Math.min(policy.leaseMs * 2 ** (notice.tries ?? 0), NOTICE_BACKOFF_CAP_MS);
  return Date.parse(notice.at) + wait;
}

/** Runs a request may start without finishing before it fails, so that none loops for ever. */
export const MAX_RUNS = 10;

const refuse = (request: AccessRequest, refusal: LifecycleRefusal): Transition => ({
  ok: false,
  refusal,
  request,
});

function leaseUntil(now: Date, policy: LifecyclePolicy): string {
  return new Date(now.getTime() + policy.leaseMs).toISOString();
}

/**
 * The request with its privilege and quorum as they stand now: a key acts with its owner's
 * roles, read live, so a key request becomes privileged when its owner becomes an admin.
 */
function evaluated(
  request: AccessRequest,
  roles: LiveRoles,
  policy: LifecyclePolicy,
): AccessRequest {
  const privileged = privilegedRoles(request, policy, [...roles.holder]);
  const next: AccessRequest = {
    ...request,
    requiredApprovals: quorumOf(policy.requiredApprovals(request.kind), privileged, policy),
  };
  if (privileged.length > 0) next.privileged = privileged;
  else delete next.privileged;
  return next;
}

/** What the card shows of a request: a card drawn from another state must be drawn again. */
export function cardState(request: AccessRequest): string {
  const {
    status,
    approvals,
    requiredApprovals,
    privileged,
    droppedApprovals,
    decision,
    failure,
    review,
  } = request;
  return JSON.stringify([
    review,
    status,
    approvals,
    requiredApprovals,
    privileged,
    droppedApprovals,
    decision,
    failure,
  ]);
}

/**
 * Adds what people must be told. The card is drawn from the request as it is when the notice
 * goes out, so a new card notice replaces one still waiting: its writer draws the latest.
 */
function told(
  request: AccessRequest,
  now: Date,
  notices: ReadonlyArray<Pick<Notice, 'type' | 'summary' | 'to'>>,
): AccessRequest {
  let outbox = [...(request.outbox ?? [])];
  for (const { type, summary, to } of notices) {
    if (type === 'card') outbox = outbox.filter((notice) => notice.type !== 'card');
    outbox.push({
      id: `${request.version}-${type}`,
      type,
      ...(summary !== undefined ? { summary } : {}),
      ...(to !== undefined ? { to } : {}),
      at: now.toISOString(),
    });
  }
  return { ...request, outbox };
}

function withStep(request: AccessRequest, step: StepRecord): AccessRequest {
  return {
    ...request,
    steps: [...request.steps.filter((existing) => existing.name !== step.name), step],
  };
}

function withoutLease(request: AccessRequest): AccessRequest {
  const next = { ...request };
  delete next.lease;
  return next;
}

function cancelRefusal(request: AccessRequest, clicker: Identity): DecisionRefusal | undefined {
  if (!clicker.mapped) {
    return { code: 'not-mapped', identityReason: clicker.reason, email: clicker.email };
  }
  if (!request.card) return { code: 'not-posted-yet' };
  if (request.status !== 'pending') return { code: 'not-pending', status: request.status };
  const own =
    request.requester.slackUserId === clicker.slackUserId ||
    request.requester.vamsUserId === clicker.vamsUserId;
  return own ? undefined : { code: 'not-the-requester' };
}

/**
 * Counts the approvals again with the approvers' roles now: an approval whose approver may no
 * longer approve the request is dropped, and kept on record for the card.
 */
function recounted(
  request: AccessRequest,
  roles: LiveRoles,
  policy: LifecyclePolicy,
  now: Date,
): { request: AccessRequest; dropped: DroppedApproval[] } {
  const refusals = request.approvals.map((approval) =>
    approverRefusal(
      request,
      { ...approval, roles: [...(roles.approvers?.[approval.vamsUserId] ?? [])] },
      policy,
    ),
  );
  const at = now.toISOString();
  const dropped = request.approvals.flatMap((approval, index) => {
    const refusal = refusals[index];
    if (!refusal) return [];
    const { slackUserId, vamsUserId } = approval;
    return [{ slackUserId, vamsUserId, at, code: refusal.code }];
  });
  if (dropped.length === 0) return { request, dropped };
  return {
    request: {
      ...request,
      approvals: request.approvals.filter((_, index) => refusals[index] === undefined),
      droppedApprovals: [...(request.droppedApprovals ?? []), ...dropped],
    },
    dropped,
  };
}

function isHolder(request: AccessRequest, owner: string): boolean {
  return request.status === 'executing' && request.lease?.owner === owner;
}

function decided(
  clicker: Extract<Identity, { mapped: true }>,
  now: Date,
  comment?: string,
): AccessRequest['decision'] {
  const by: Person = { slackUserId: clicker.slackUserId, vamsUserId: clicker.vamsUserId };
  return { by, at: now.toISOString(), ...(comment ? { comment } : {}) };
}

/**
 * Who may review a break-glass grant, at click time: a mapped admin (roles read now) other than
 * the grantee, once, after it was granted; self-approval settings do not change that.
 */
export function reviewRefusal(
  request: AccessRequest,
  clicker: Identity,
  policy: LifecyclePolicy,
): DecisionRefusal | undefined {
  if (!clicker.mapped) {
    return { code: 'not-mapped', identityReason: clicker.reason, email: clicker.email };
  }
  // Reviewed once the grant was given (or failed to be): a revocation while it is being given
  // would come before the grant it is meant to end.
  const given = request.status === 'succeeded' || request.status === 'failed';
  if (!awaitsReview(request) || !given) return { code: 'not-pending', status: request.status };
  if (!standingOf(clicker.roles, policy).isAdmin) return { code: 'not-an-approver' };
  const self =
    request.requester.slackUserId === clicker.slackUserId ||
    request.requester.vamsUserId === clicker.vamsUserId;
  return self ? { code: 'own-request' } : undefined;
}

/**
 * The whole request lifecycle: what `event` does to `request` at `now`, or why it may not.
 * Pure: the roles it depends on come with the event, and the caller stores the result with a
 * conditional write (see `updateRequest`). The version is not changed here.
 */
export function transition(
  request: AccessRequest,
  event: LifecycleEvent,
  now: Date,
  policy: LifecyclePolicy,
): Transition {
  const at = now.toISOString();
  switch (event.type) {
    case 'submit': {
      if (request.version !== 0 || request.status !== 'pending')
        return refuse(request, { code: 'not-new' });
      return {
        ok: true,
        request: evaluated(request, event.roles, policy),
        audit: [
          {
            type: 'requested',
            actor: request.requester.vamsUserId,
            detail: { kind: request.kind },
          },
        ],
      };
    }
    case 'card-posted': {
      if (request.card) return refuse(request, { code: 'card-already-posted' });
      // Break-glass needs no approval, only its announcement: once its card is up, it runs.
      if (request.requiredApprovals === 0 && request.status === 'pending') {
        return {
          ok: true,
          request: { ...request, card: event.card, status: 'approved' },
          audit: [{ type: 'granted-without-approval', actor: request.requester.vamsUserId }],
        };
      }
      // A request without a card refuses every click, so placing it wins whatever happened.
      return { ok: true, request: { ...request, card: event.card }, audit: [] };
    }
    case 'abandon': {
      if (request.card || request.status !== 'pending')
        return refuse(request, { code: 'card-already-posted' });
      return {
        ok: true,
        request: { ...request, status: 'failed', failure: event.failure },
        audit: [{ type: 'failed', detail: { reason: event.failure } }],
      };
    }
    case 'approve': {
      const current =
        request.status === 'pending' ? evaluated(request, event.roles, policy) : request;
      const decision = decideOn(current, event.clicker, policy, now);
      if (!decision.allowed) return refuse(current, decision.refusal);
      const roles = event.clicker.mapped ? event.clicker.roles : [];
      const approvals = [
        ...current.approvals,
        { slackUserId: event.clicker.slackUserId, vamsUserId: decision.vamsUserId, roles, at },
      ];
      const quorum = approvals.length >= current.requiredApprovals;
      const next: AccessRequest = {
        ...current,
        approvals,
        status: quorum ? 'approved' : 'pending',
      };
      return {
        ok: true,
        request: told(next, now, [{ type: 'card' }]),
        audit: [
          {
            type: 'approved',
            actor: decision.vamsUserId,
            detail: {
              slackUserId: event.clicker.slackUserId,
              tally: `${approvals.length}/${current.requiredApprovals}`,
            },
          },
        ],
      };
    }
    case 'reject':
    case 'cancel': {
      const { clicker } = event;
      const refusal =
        event.type === 'cancel'
          ? cancelRefusal(request, clicker)
          : (() => {
              const decision = decideOn(request, clicker, policy, now);
              return decision.allowed ? undefined : decision.refusal;
            })();
      if (refusal || !clicker.mapped)
        return refuse(request, refusal ?? { code: 'not-an-approver' });
      const comment = event.type === 'reject' ? event.comment : undefined;
      const status = event.type === 'reject' ? 'rejected' : 'cancelled';
      const next: AccessRequest = {
        ...request,
        status,
        decision: decided(clicker, now, comment),
      };
      // A requester who cancelled knows; everyone else hears the outcome.
      const byRequester = clicker.slackUserId === request.requester.slackUserId;
      return {
        ok: true,
        request: told(next, now, [
          { type: 'card' },
          ...(byRequester
            ? []
            : [
                {
                  type: 'outcome' as const,
                  // A rejection's comment is what the requester most needs to read.
                  summary: `${status} by ${clicker.vamsUserId}${comment ? `, who wrote: “${comment}”` : ''}`,
                },
              ]),
        ]),
        audit: [{ type: status, actor: clicker.vamsUserId, detail: comment ? { comment } : {} }],
      };
    }
    case 'expire': {
      if (request.status !== 'pending')
        return refuse(request, { code: 'not-pending', status: request.status });
      if (Date.parse(request.expiresAt) > now.getTime())
        return refuse(request, { code: 'not-due' });
      return {
        ok: true,
        request: told({ ...request, status: 'expired' }, now, [
          { type: 'card' },
          { type: 'outcome', summary: 'expired: nobody decided in time' },
        ]),
        audit: [{ type: 'expired' }],
      };
    }
    case 'nudge': {
      const due = nudgeDue(request, now, policy);
      if (!due) return refuse(request, { code: 'not-due' });
      if (due.type === 'escalation') {
        return {
          ok: true,
          request: told({ ...request, escalated: true }, now, [{ type: 'escalation' }]),
          audit: [{ type: 'escalated' }],
        };
      }
      return {
        ok: true,
        request: told({ ...request, reminders: due.count }, now, [
          { type: 'reminder', summary: String(due.count) },
        ]),
        audit: [{ type: 'reminded', detail: { reminder: due.count } }],
      };
    }
    case 'claim': {
      const lapsed = Date.parse(request.lease?.until ?? '') < now.getTime();
      if (request.status === 'executing' && !lapsed)
        return refuse(request, { code: 'lease-held', owner: request.lease?.owner ?? '' });
      if (request.status !== 'approved' && request.status !== 'executing')
        return refuse(request, { code: 'not-approved', status: request.status });
      if ((request.attempt ?? 0) >= MAX_RUNS) {
        const failure = `It was started ${MAX_RUNS} times without finishing, so it stopped; Retry runs the steps not yet done.`;
        return {
          ok: true,
          request: told(withoutLease({ ...request, status: 'failed', failure }), now, [
            { type: 'card' },
            { type: 'result', summary: failure },
            { type: 'outcome', summary: failure },
          ]),
          audit: [{ type: 'failed', detail: { reason: failure } }],
        };
      }
      // Right before a request first runs, its privilege and approvals are worked out again
      // with roles read now (or within the last 2 s, by the click that approved it; see the
      // runner's `liveRoles`): if an approver lost the right meanwhile and too few remain, it
      // goes back to waiting instead.
      const firstRun = request.status === 'approved' && request.steps.length === 0;
      const { request: counted, dropped } = firstRun
        ? recounted(evaluated(request, event.roles, policy), event.roles, policy, now)
        : { request, dropped: [] };
      const audit: AuditEntry[] = dropped.map((approval) => ({
        type: 'approval-dropped',
        actor: approval.vamsUserId,
        detail: { slackUserId: approval.slackUserId, reason: approval.code },
      }));
      if (counted.approvals.length < counted.requiredApprovals) {
        return {
          ok: true,
          request: told(withoutLease({ ...counted, status: 'pending' }), now, [{ type: 'card' }]),
          audit,
        };
      }
      return {
        ok: true,
        request: {
          ...counted,
          status: 'executing',
          lease: { owner: event.owner, until: leaseUntil(now, policy) },
          attempt: (counted.attempt ?? 0) + 1,
        },
        audit: [...audit, { type: 'execution-started', detail: { instance: event.owner } }],
      };
    }
    case 'renew': {
      if (!isHolder(request, event.owner)) return refuse(request, { code: 'lease-lost' });
      return {
        ok: true,
        request: { ...request, lease: { owner: event.owner, until: leaseUntil(now, policy) } },
        audit: [],
      };
    }
    case 'step-started': {
      if (!isHolder(request, event.owner)) return refuse(request, { code: 'lease-lost' });
      const next = withStep(request, { name: event.step, status: 'started', at });
      return {
        ok: true,
        request: { ...next, lease: { owner: event.owner, until: leaseUntil(now, policy) } },
        audit: [],
      };
    }
    case 'step-done': {
      if (!isHolder(request, event.owner)) return refuse(request, { code: 'lease-lost' });
      const next = withStep(request, {
        name: event.step,
        status: 'done',
        at,
        detail: event.detail,
        ...(event.detailParts ? { detailParts: event.detailParts } : {}),
        ...(event.output !== undefined ? { output: event.output } : {}),
      });
      return {
        ok: true,
        request: { ...next, lease: { owner: event.owner, until: leaseUntil(now, policy) } },
        audit: [{ type: 'step-done', detail: { step: event.step, detail: event.detail } }],
      };
    }
    case 'step-failed': {
      if (!isHolder(request, event.owner)) return refuse(request, { code: 'lease-lost' });
      const next = withStep(request, {
        name: event.step,
        status: 'failed',
        at,
        detail: event.reason,
      });
      return {
        ok: true,
        request: told(withoutLease({ ...next, status: 'failed', failure: event.failure }), now, [
          { type: 'card' },
          { type: 'result', summary: event.failure },
          { type: 'outcome', summary: event.failure },
        ]),
        audit: [{ type: 'failed', detail: { step: event.step, reason: event.reason } }],
      };
    }
    case 'succeed': {
      if (!isHolder(request, event.owner)) return refuse(request, { code: 'lease-lost' });
      return {
        ok: true,
        request: told(withoutLease({ ...request, status: 'succeeded' }), now, [
          { type: 'card' },
          { type: 'result', summary: event.summary },
          { type: 'outcome', summary: event.summary },
        ]),
        audit: [{ type: 'succeeded', detail: { summary: event.summary } }],
      };
    }
    case 'retry': {
      const decision = decideRetry(request, event.clicker, policy);
      if (!decision.allowed) return refuse(request, decision.refusal);
      const next: AccessRequest = { ...request, status: 'approved' };
      delete next.failure;
      delete next.attempt;
      return {
        ok: true,
        request: told(next, now, [{ type: 'card' }]),
        audit: [
          {
            type: 'retried',
            actor: decision.vamsUserId,
            detail: { slackUserId: event.clicker.slackUserId },
          },
        ],
      };
    }
    case 'review': {
      const refusal = reviewRefusal(request, event.clicker, policy);
      if (refusal || !event.clicker.mapped)
        return refuse(request, refusal ?? { code: 'not-an-approver' });
      const by = { slackUserId: event.clicker.slackUserId, vamsUserId: event.clicker.vamsUserId };
      const said =
        event.outcome === 'reviewed'
          ? `Break-glass reviewed by ${by.vamsUserId}: the grant stands until it ends.`
          : `Break-glass revoked on review by ${by.vamsUserId}: the grant ends now.`;
      return {
        ok: true,
        request: told({ ...request, review: { by, at, outcome: event.outcome } }, now, [
          { type: 'card' },
          { type: 'thread', summary: said },
          { type: 'dm', summary: said, to: request.requester.slackUserId },
        ]),
        audit: [
          { type: event.outcome, actor: by.vamsUserId, detail: { slackUserId: by.slackUserId } },
        ],
      };
    }
    case 'afterword': {
      // A request that failed part-way may have given grants before its failure.
      if (request.status !== 'succeeded' && request.status !== 'failed') {
        return refuse(request, { code: 'not-approved', status: request.status });
      }
      if (request.afterwords?.includes(event.key)) return refuse(request, { code: 'not-new' });
      const afterwords = [...(request.afterwords ?? []), event.key];
      return {
        ok: true,
        request: told({ ...request, afterwords }, now, [
          { type: 'thread', summary: event.thread },
          ...(event.dm
            ? [{ type: 'dm' as const, summary: event.dm.text, to: event.dm.slackUserId }]
            : []),
        ]),
        audit: [event.audit],
      };
    }
    case 'notices': {
      const given: AuditEntry[] = [];
      const outbox = (request.outbox ?? []).flatMap((notice) => {
        // The card shows the request as it was drawn: changed since, it must be drawn again.
        const stale = notice.type === 'card' && event.cardDrawn !== cardState(request);
        if (event.sent.includes(notice.id) && !stale) return [];
        if (!event.failed.includes(notice.id)) return [notice];
        const tries = (notice.tries ?? 0) + 1;
        if (tries < NOTICE_TRIES) return [{ ...notice, tries, at }];
        given.push({ type: 'notice-given-up', detail: { notice: notice.type } });
        return [];
      });
      const next: AccessRequest = { ...request, outbox };
      if (outbox.length === 0) delete next.outbox;
      return { ok: true, request: next, audit: given };
    }
  }
}
