import { randomBytes } from 'node:crypto';
import { type DecisionRefusal, decideOn, privilegeHolder } from '../auth/approval-policy';
import type { Identity } from '../auth/identity';
import type { Metrics } from '../domain/metrics';
import {
  type AccessRequest,
  newRequestId,
  type Person,
  type PreflightResult,
  type RequestKind,
} from '../domain/request';
import type { AppLogger } from '../logging';
import {
  type LifecycleEvent,
  type LifecyclePolicy,
  type LifecycleRefusal,
  nudgeDue,
  reviewRefusal,
  transition,
} from './lifecycle';
import { refusalMetrics, transitionMetrics } from './request-metrics';
import { appendAudit, type RequestRepository, type UpdateOutcome } from './request-updates';
import { type ApproverRoles, type RequestNotifier, type RolesJustRead, Runner } from './runner';
import type { KindExecutor } from './steps';

export type { RequestRepository } from './request-updates';

import type { GrantAfterword } from './grants';

export type { ApproverRoles, RequestNotifier } from './runner';
export type {
  KindExecutor,
  Step,
  StepContext,
  StepDetail,
  StepOutcome,
  StepResult,
  StepState,
} from './steps';
export { unavailableExecutor } from './steps';

/** A kind with its own parameters: one member per kind, so they cannot be mixed up. */
type KindWithParams = AccessRequest extends infer R
  ? R extends AccessRequest
    ? Pick<R, 'kind' | 'params'>
    : never
  : never;

export type RequestDraft = KindWithParams & {
  reason: string;
  requester: Person;
  subject: string;
  subjectSlackUserIds?: string[];
  preflight: PreflightResult[];
};

export interface WorkflowSettings extends LifecyclePolicy {
  requestTtlHours: number;
  /**
   * Whether this process runs approved requests right after recording the decision. Off when a
   * separate worker, fed by the bot table's changes, runs them; the sweep still finishes
   * anything left behind.
   */
  runInProcess?: boolean;
  /**
   * How many requests this process runs at once; more wait their turn (they are approved and
   * stored, so a process that dies meanwhile leaves them to the sweep). Unset: no bound.
   */
  runsAtOnce?: number;
  /** Counts and times requests; none when unset. */
  metrics?: Metrics;
}

export type ClickResult =
  | { outcome: 'refused'; refusal: DecisionRefusal; request: AccessRequest }
  | { outcome: 'not-found' }
  | { outcome: 'busy' }
  | { outcome: 'done'; request: AccessRequest };

/** The roles a click reads, added to as it reads them; its run counts them (`RolesJustRead`). */
type ClickReads = RolesJustRead & { roles: Record<string, readonly string[]> };

export type ClickAction = 'approve' | 'reject' | 'cancel' | 'retry' | 'reviewed' | 'revoked';

// A click meets only the decision rules; the lifecycle's own refusals (a lease, a card posted
// twice) cannot follow a click, and read as "no longer waiting" if they ever did.
function asDecisionRefusal(refusal: LifecycleRefusal, request: AccessRequest): DecisionRefusal {
  switch (refusal.code) {
    case 'not-approved':
    case 'lease-held':
    case 'lease-lost':
    case 'not-due':
    case 'card-already-posted':
    case 'not-new':
      return { code: 'not-pending', status: request.status };
    default:
      return refusal;
  }
}

const CARD_NOT_POSTED =
  'The request card could not be posted in the approvals channel, so nobody could decide it.';

/**
 * Requests from filing to their end: a click records a decision with one conditional write and
 * returns; the runner executes approved requests from the stored state.
 */
export class Workflow {
  private readonly runner: Runner;
  private readonly notifier: RequestNotifier;
  /** Runs this process started after a decision, so that stopping can wait for them. */
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(
    private readonly repository: RequestRepository,
    notifier: RequestNotifier,
    executorOf: (kind: RequestKind) => KindExecutor,
    roles: ApproverRoles,
    private readonly settings: WorkflowSettings,
    private readonly logger: AppLogger,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.runner = new Runner({
      repository,
      notifier,
      executorOf,
      roles,
      policy: settings,
      logger,
      clock,
      instanceId: randomBytes(6).toString('hex'),
      writeId: () => randomBytes(8).toString('hex'),
      ...(settings.runsAtOnce !== undefined ? { runsAtOnce: settings.runsAtOnce } : {}),
      ...(settings.metrics ? { metrics: settings.metrics } : {}),
    });
    this.notifier = notifier;
  }

  private log(request: { id: string }): AppLogger {
    return this.logger.child({ requestId: request.id });
  }

  /**
   * Files a request and posts its card. With a filing key (the dialog's view id), a replayed
   * submission files nothing and returns undefined. `justRead`: roles the filing read moments
   * ago (the requester's, as they were identified), not read again.
   */
  async submit(
    draft: RequestDraft,
    filingKey?: string,
    justRead?: RolesJustRead,
  ): Promise<AccessRequest | undefined> {
    const now = this.clock();
    const fresh: AccessRequest = {
      id: newRequestId((size) => randomBytes(size)),
      ...draft,
      status: 'pending',
      approvals: [],
      requiredApprovals: this.settings.requiredApprovals(draft.kind),
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + this.settings.requestTtlHours * 3_600_000).toISOString(),
      steps: [],
      version: 0,
    };
    const filed = transition(
      fresh,
      { type: 'submit', roles: await this.runner.liveRoles(fresh, false, justRead) },
      now,
      this.settings,
    );
    if (!filed.ok) throw new Error(`a new request was refused: ${filed.refusal.code}`);
    const created: AccessRequest = { ...filed.request, version: 1 };
    const stored =
      (await this.repository.create(created, filingKey)) ||
      // The answer to the write was lost and its retry met the marker it had written.
      (await this.repository.get(created.id)) !== undefined;
    if (!stored) {
      this.logger.warn(
        { kind: draft.kind, slackUserId: draft.requester.slackUserId },
        'a dialog that already filed a request was submitted again; nothing filed',
      );
      return undefined;
    }
    await appendAudit({ repository: this.repository, clock: this.clock }, created, filed.audit);
    this.settings.metrics?.record(transitionMetrics(undefined, created, now));
    this.log(created).info(
      { kind: created.kind, requester: draft.requester.vamsUserId },
      'request created',
    );
    let card: { channel: string; ts: string };
    try {
      card = await this.notifier.postCard(created);
    } catch (error) {
      this.log(created).error({ err: error }, 'could not post the request card');
      await this.runner.update(created.id, { type: 'abandon', failure: CARD_NOT_POSTED }, created);
      throw error;
    }
    // Written on the request as just created; a write since (a quick click) makes it read anew.
    const placed = await this.runner.update(created.id, { type: 'card-posted', card }, created);
    if (placed.outcome !== 'written') {
      throw new Error(`could not record where the card of ${created.id} is`);
    }
    // Break-glass runs as soon as its card announces it, ahead of any runs waiting their turn.
    if (placed.request.status === 'approved') {
      this.start(placed.request.id, placed.request, undefined, true);
    }
    // The requester's receipt is best effort: the card is up, and they are told the outcome.
    await this.notifier
      .deliver(placed.request, { id: 'submitted', type: 'submitted', at: now.toISOString() }, false)
      .catch((error: unknown) =>
        this.log(created).warn({ err: error }, 'could not tell the requester'),
      );
    return placed.request;
  }

  async get(id: string): Promise<AccessRequest | undefined> {
    return this.repository.get(id);
  }

  async open(): Promise<AccessRequest[]> {
    return this.repository.open();
  }

  /** Why this person may not review this break-glass grant now; undefined when they may. */
  reviewRefusalFor(request: AccessRequest, clicker: Identity): DecisionRefusal | undefined {
    return reviewRefusal(request, clicker, this.settings);
  }

  refusalFor(request: AccessRequest, clicker: Identity): DecisionRefusal | undefined {
    const decision = decideOn(request, clicker, this.settings, this.clock());
    return decision.allowed ? undefined : decision.refusal;
  }

  private eventFor(
    action: ClickAction,
    clicker: Identity,
    comment: string | undefined,
    justRead: ClickReads,
  ): LifecycleEvent | ((current: AccessRequest) => Promise<LifecycleEvent>) {
    switch (action) {
      case 'approve':
        // A key acts with its owner's roles, read now: a key request becomes privileged when
        // its owner became an admin since it was filed.
        return async (current) => {
          if (current.status !== 'pending')
            return { type: 'approve', clicker, roles: { holder: [] } };
          const roles = await this.runner.liveRoles(current, false, justRead);
          const holder = privilegeHolder(current);
          if (holder) justRead.roles[holder] = roles.holder;
          return { type: 'approve', clicker, roles };
        };
      case 'reject':
        return { type: 'reject', clicker, ...(comment ? { comment } : {}) };
      case 'cancel':
        return { type: 'cancel', clicker };
      case 'retry':
        return { type: 'retry', clicker };
      case 'reviewed':
      case 'revoked':
        return { type: 'review', clicker, outcome: action };
    }
  }

  /**
   * Records a click's decision and returns: the card shows it at once, and an approval that
   * completes the quorum (or a Retry) starts the run without waiting for it. Lost races read
   * again and decide again, so simultaneous clicks by distinct approvers all count and
   * identical ones count once.
   */
  /** `known`: the request as just read, to decide on first (see `updateRequest`). */
  async decide(
    action: ClickAction,
    id: string,
    clicker: Identity,
    comment?: string,
    known?: AccessRequest,
  ): Promise<ClickResult> {
    // The roles this click read, the clicker's with their identity: a run it starts counts them.
    const justRead: ClickReads = {
      at: this.clock().getTime(),
      roles: clicker.mapped ? { [clicker.vamsUserId]: clicker.roles } : {},
    };
    const outcome = await this.runner.update(
      id,
      this.eventFor(action, clicker, comment, justRead),
      known,
    );
    return this.clickResult(action, clicker, outcome, justRead);
  }

  private async clickResult(
    action: ClickAction,
    clicker: Identity,
    outcome: UpdateOutcome,
    justRead: RolesJustRead,
  ): Promise<ClickResult> {
    switch (outcome.outcome) {
      case 'not-found':
      case 'busy':
        return outcome;
      case 'refused': {
        const refusal = asDecisionRefusal(outcome.refusal, outcome.request);
        this.settings.metrics?.record(refusalMetrics(action, refusal));
        await appendAudit({ repository: this.repository, clock: this.clock }, outcome.request, [
          {
            type: 'click-refused',
            actor: clicker.mapped ? clicker.vamsUserId : clicker.slackUserId,
            detail: { action, slackUserId: clicker.slackUserId, reason: refusal.code },
          },
        ]);
        this.log(outcome.request).info(
          { action, slackUserId: clicker.slackUserId, reason: refusal.code },
          'click refused',
        );
        return { outcome: 'refused', refusal, request: outcome.request };
      }
      case 'written': {
        const { request } = outcome;
        const by = clicker.mapped ? clicker.vamsUserId : clicker.slackUserId;
        const message =
          action === 'approve'
            ? 'approval recorded'
            : action === 'retry'
              ? 'retrying a failed request'
              : action === 'reviewed' || action === 'revoked'
                ? `break-glass ${action} on review`
                : `request ${request.status}`;
        this.log(request).info({ action, by, tally: request.approvals.length }, message);
        const told = await this.tell(outcome);
        if (request.status === 'approved') this.start(request.id, told ?? request, justRead);
        return { outcome: 'done', request };
      }
    }
  }

  /**
   * Delivers what a recorded decision must tell. The decision stands whatever happens here: a
   * notice that could not go out stays for the sweep. Resolves to the request as last written,
   * when that is known.
   */
  private async tell(outcome: UpdateOutcome): Promise<AccessRequest | undefined> {
    try {
      return await this.runner.told(outcome);
    } catch (error) {
      const id = outcome.outcome === 'written' ? outcome.request.id : undefined;
      this.logger.warn(
        { err: error, requestId: id },
        'could not tell of a decision; the sweep will',
      );
      return undefined;
    }
  }

  /**
   * Starts running a request in this process, unless a separate worker does that. `known`: the
   * request as this process last wrote it.
   */
  private start(id: string, known?: AccessRequest, justRead?: RolesJustRead, urgent = false): void {
    if (this.settings.runInProcess === false) return;
    const run = this.runner
      .run(id, known, justRead, urgent)
      .catch((error: unknown) => this.logger.error({ err: error, requestId: id }, 'run failed'))
      .finally(() => {
        if (this.inFlight.get(id) === run) this.inFlight.delete(id);
      });
    this.inFlight.set(id, run);
  }

  /** The process stops: runs still waiting for their turn do not begin (a sweep runs them). */
  close(): void {
    this.runner.close();
  }

  /** Resolves when every run this process started has ended and what they told went out. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight.values()]);
    await this.notifier.settle?.();
  }

  /** Records one approval and, when it completes the quorum, waits for the run it starts. */
  async approve(id: string, clicker: Identity): Promise<ClickResult> {
    return this.settled(await this.decide('approve', id, clicker));
  }

  /** A failed request runs again from its failed step; the steps done are not repeated. */
  async retry(id: string, clicker: Identity): Promise<ClickResult> {
    return this.settled(await this.decide('retry', id, clicker));
  }

  async reject(id: string, clicker: Identity, comment: string | undefined): Promise<ClickResult> {
    return this.decide('reject', id, clicker, comment);
  }

  async cancel(id: string, clicker: Identity): Promise<ClickResult> {
    return this.decide('cancel', id, clicker);
  }

  private async settled(result: ClickResult): Promise<ClickResult> {
    if (result.outcome !== 'done' || result.request.status !== 'approved') return result;
    const { id } = result.request;
    // Only a run this process started is waited for: with a worker, the click has recorded
    // the decision and that is all.
    const run = this.inFlight.get(id);
    if (!run) return result;
    await run;
    return { outcome: 'done', request: (await this.get(result.request.id)) ?? result.request };
  }

  /** Pending requests past their expiry become `expired`; their cards lose their buttons. */
  async expireDue(): Promise<number> {
    const now = this.clock().getTime();
    let expired = 0;
    for (const request of await this.repository.open()) {
      if (request.status !== 'pending' || Date.parse(request.expiresAt) > now) continue;
      const outcome = await this.runner.update(request.id, { type: 'expire' });
      if (outcome.outcome !== 'written') continue;
      expired += 1;
      this.log(request).info('request expired');
      await this.tell(outcome);
    }
    return expired;
  }

  /**
   * Undecided requests whose approvers are owed a reminder, or that are past half their time:
   * one conditional write each, so whichever instance gets there first sends it, once.
   */
  async nudgeDue(): Promise<number> {
    const now = this.clock();
    let nudged = 0;
    for (const request of await this.repository.open()) {
      if (!nudgeDue(request, now, this.settings)) continue;
      const outcome = await this.runner.update(request.id, { type: 'nudge' });
      if (outcome.outcome !== 'written') continue;
      nudged += 1;
      this.log(request).info(
        { reminders: outcome.request.reminders, escalated: outcome.request.escalated },
        'approvers nudged',
      );
      await this.tell(outcome);
    }
    return nudged;
  }

  /**
   * Approved but never started, or executing with a lapsed lease (its runner died): resume.
   * Notices a dead process never delivered go out too.
   */
  async resumeInterrupted(): Promise<number> {
    return this.runner.sweep();
  }

  /**
   * Tells of something that happened after a request succeeded, because of it (a grant it gave
   * ended), in its thread and to one person: once per key, however often it is asked. False
   * when it cannot be said yet (the request is still running, or busy): ask again later.
   */
  async afterword(word: GrantAfterword): Promise<boolean> {
    const outcome = await this.runner.update(word.requestId, {
      type: 'afterword',
      key: word.key,
      thread: word.thread,
      ...(word.dm ? { dm: word.dm } : {}),
      audit: word.audit,
    });
    switch (outcome.outcome) {
      case 'written':
        await this.tell(outcome);
        return true;
      case 'not-found':
        this.logger.warn({ requestId: word.requestId, key: word.key }, 'no request to tell of');
        return true;
      case 'busy':
        return false;
      case 'refused':
        // Told already; or the request is still running: told once it has ended.
        return outcome.refusal.code === 'not-new';
    }
  }

  /** Runs an approved request now, in this process; resolves when the run ends. */
  async execute(id: string): Promise<void> {
    await this.runner.run(id);
  }
}
