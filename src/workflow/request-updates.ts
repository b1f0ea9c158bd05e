import type { AuditEvent } from '../domain/audit';
import type { Metrics } from '../domain/metrics';
import type { AccessRequest, Notice } from '../domain/request';
import type { AuditEntry, LifecycleRefusal, Transition } from './lifecycle';
import { transitionMetrics } from './request-metrics';

export interface RequestRepository {
  /** False when a request was already filed under `filingKey`: nothing is written then. */
  create(request: AccessRequest, filingKey?: string): Promise<boolean>;
  get(id: string): Promise<AccessRequest | undefined>;
  /**
   * Writes `next` only if the stored version is `next.version - 1`, and `events` with it, all or
   * nothing; false when the version moved.
   */
  replace(next: AccessRequest, events?: readonly AuditEvent[]): Promise<boolean>;
  /** Pending, approved and executing requests. */
  open(): Promise<AccessRequest[]>;
  /** Ended requests with notices still to deliver. */
  unsent(): Promise<AccessRequest[]>;
  appendEvent(event: AuditEvent): Promise<void>;
}

export type UpdateOutcome =
  /** `added`: the notices this write put in the outbox; its writer delivers them. */
  | { outcome: 'written'; request: AccessRequest; audit: AuditEntry[]; added: Notice[] }
  | { outcome: 'refused'; refusal: LifecycleRefusal; request: AccessRequest }
  | { outcome: 'not-found' }
  | { outcome: 'busy' };

export interface UpdateContext {
  repository: RequestRepository;
  clock: () => Date;
  /** A token unique to one write. */
  writeId: () => string;
  /** Told of every change written: what operators count and time. */
  metrics?: Metrics;
}

const MAX_RACE_RETRIES = 8;
/** How many write tokens a request keeps: more than the writes that can land in one retry. */
const KEPT_WRITES = 8;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The one read → decide → conditional write loop. A lost race reads again and decides again;
 * a write whose answer was lost (the SDK then retries and meets its own version) recognises
 * itself by its write token and counts as written. The decision's audit lines are written with
 * it.
 *
 * `known` is the request as this process last wrote or read it: the first attempt decides on it
 * instead of reading it again. The write is conditional on its version all the same, so a copy
 * that is out of date costs one refused write and then the read it saved; a refusal is only
 * ever decided on a fresh read.
 */
export async function updateRequest(
  context: UpdateContext,
  id: string,
  decide: (current: AccessRequest) => Transition | Promise<Transition>,
  known?: AccessRequest,
): Promise<UpdateOutcome> {
  const { repository } = context;
  for (let attempt = 0; attempt < MAX_RACE_RETRIES; attempt += 1) {
    if (attempt > 1) await pause(Math.floor(Math.random() * 10 * attempt));
    const fromKnown = attempt === 0 && known?.id === id;
    const current = fromKnown ? known : await repository.get(id);
    if (!current) return { outcome: 'not-found' };
    const decision = await decide(current);
    if (!decision.ok) {
      // Only the table's copy refuses: decided on this process's own, it is decided again.
      if (fromKnown) continue;
      return { outcome: 'refused', refusal: decision.refusal, request: decision.request };
    }
    const token = context.writeId();
    const next: AccessRequest = {
      ...decision.request,
      writes: [...(current.writes ?? []), token].slice(-KEPT_WRITES),
      version: current.version + 1,
    };
    // The audit lines go in the same write: a crash cannot keep the change and lose its record.
    if (!(await repository.replace(next, auditEvents(context, next, decision.audit)))) {
      const stored = await repository.get(id);
      if (!stored?.writes?.includes(token)) continue;
    }
    context.metrics?.record(transitionMetrics(current, next, context.clock()));
    const before = new Set((current.outbox ?? []).map((notice) => notice.id));
    const added = (next.outbox ?? []).filter((notice) => !before.has(notice.id));
    return { outcome: 'written', request: next, audit: decision.audit, added };
  }
  return { outcome: 'busy' };
}

function auditEvents(
  context: Pick<UpdateContext, 'clock'>,
  request: { id: string },
  entries: readonly AuditEntry[],
): AuditEvent[] {
  const at = context.clock().toISOString();
  return entries.map((entry) => ({
    requestId: request.id,
    at,
    type: entry.type,
    ...(entry.actor ? { actor: entry.actor } : {}),
    ...(entry.detail ? { detail: entry.detail } : {}),
  }));
}

/** Audit lines that come with no change of the request (a refused click, a new request). */
export async function appendAudit(
  context: Pick<UpdateContext, 'repository' | 'clock'>,
  request: { id: string },
  entries: readonly AuditEntry[],
): Promise<void> {
  for (const event of auditEvents(context, request, entries)) {
    await context.repository.appendEvent(event);
  }
}
