import { randomBytes } from 'node:crypto';
import {
  type ApprovalPolicy,
  approverRefusal,
  type DecisionRefusal,
  decideOn,
  decideRetry,
  privilegedRoles,
  privilegeHolder,
  quorumOf,
} from '../auth/approval-policy';
import type { Identity } from '../auth/identity';
import type { AuditEvent } from '../domain/audit';
import {
  type AccessRequest,
  type DetailPart,
  type DroppedApproval,
  newRequestId,
  type Person,
  type PreflightResult,
  plainDetail,
  type RequestKind,
  type StepRecord,
  stepDone,
  stepStarted,
} from '../domain/request';
import type { AppLogger } from '../logging';

export interface RequestRepository {
  /** False when a request was already filed under `filingKey`: nothing is written then. */
  create(request: AccessRequest, filingKey?: string): Promise<boolean>;
  get(id: string): Promise<AccessRequest | undefined>;
  replace(next: AccessRequest): Promise<boolean>;
  open(): Promise<AccessRequest[]>;
  appendEvent(event: AuditEvent): Promise<void>;
}

export interface StepState {
  label: string;
  state: 'waiting' | 'running' | 'done' | 'failed';
  detail?: string;
  /** The detail with the Slack people it names as ids: the only source of mentions. */
  detailParts?: DetailPart[];
}

/** What a step records: plain text, or parts when it names Slack people (see `DetailPart`). */
export type StepDetail = string | readonly DetailPart[];

function detailFields(detail: StepDetail): Pick<StepRecord, 'detail' | 'detailParts'> {
  return typeof detail === 'string'
    ? { detail }
    : { detail: plainDetail(detail), detailParts: [...detail] };
}

/** How the workflow tells people what happens; the Slack adapter renders it. */
export interface RequestNotifier {
  postCard(request: AccessRequest): Promise<{ channel: string; ts: string }>;
  cardChanged(request: AccessRequest): Promise<void>;
  submitted(request: AccessRequest): Promise<void>;
  progress(request: AccessRequest, steps: StepState[]): Promise<void>;
  finished(request: AccessRequest, summary: string): Promise<void>;
  ended(request: AccessRequest, summary: string): Promise<void>;
}

export interface StepContext {
  request: AccessRequest;
  now: Date;
  log: AppLogger;
  /** The detail an earlier step of this request recorded. */
  detailOf(stepName: string): string | undefined;
}

export interface Step {
  name: string;
  label: string;
  /** Does the work; returns a short detail for the record (never a secret). */
  run(context: StepContext): Promise<StepDetail>;
  /**
   * After a crash between starting and recording this step: returns a detail if the work turns
   * out to be done, undefined if it must run again.
   */
  reconcile?(context: StepContext): Promise<StepDetail | undefined>;
}

export interface KindExecutor {
  steps(request: AccessRequest): Step[];
  summary(request: AccessRequest): string;
}

/** A kind this deployment cannot run: its one step fails with the reason. */
export function unavailableExecutor(reason: string): KindExecutor {
  return {
    steps: () => [
      {
        name: 'unavailable',
        label: 'Check that this deployment supports the request',
        run: () => Promise.reject(new Error(reason)),
      },
    ],
    summary: () => reason,
  };
}

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

/** Where approvers' roles are read, live, when their approvals are counted. */
export interface ApproverRoles {
  rolesOf(vamsUserId: string): Promise<string[]>;
}

export interface WorkflowSettings extends ApprovalPolicy {
  requestTtlHours: number;
  /** Distinct approvers a kind needs (offboarding: OFFBOARD_APPROVALS). */
  requiredApprovals(kind: RequestKind): number;
  /** How long an execution may go without recording progress before another instance resumes it. */
  leaseMs: number;
}

export type ClickResult =
  | { outcome: 'refused'; refusal: DecisionRefusal; request: AccessRequest }
  | { outcome: 'not-found' }
  | { outcome: 'busy' }
  | { outcome: 'done'; request: AccessRequest };

const MAX_RACE_RETRIES = 8;

export class Workflow {
  private readonly instanceId = randomBytes(6).toString('hex');
  /** Requests this instance is executing now: its own sweep must not take them over. */
  private readonly running = new Set<string>();

  constructor(
    private readonly repository: RequestRepository,
    private readonly notifier: RequestNotifier,
    private readonly executors: Record<RequestKind, KindExecutor>,
    private readonly roles: ApproverRoles,
    private readonly settings: WorkflowSettings,
    private readonly logger: AppLogger,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  private log(request: { id: string }): AppLogger {
    return this.logger.child({ requestId: request.id });
  }

  private async audit(
    request: { id: string },
    type: string,
    actor?: string,
    detail?: Record<string, unknown>,
  ): Promise<void> {
    await this.repository.appendEvent({
      requestId: request.id,
      at: this.clock().toISOString(),
      type,
      ...(actor ? { actor } : {}),
      ...(detail ? { detail } : {}),
    });
  }

  /**
   * Files a request and posts its card. With a filing key (the dialog's view id), a replayed
   * submission files nothing and returns undefined.
   */
  async submit(draft: RequestDraft, filingKey?: string): Promise<AccessRequest | undefined> {
    const now = this.clock();
    const created = await this.evaluated({
      id: newRequestId((size) => randomBytes(size)),
      ...draft,
      status: 'pending',
      approvals: [],
      requiredApprovals: this.settings.requiredApprovals(draft.kind),
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + this.settings.requestTtlHours * 3_600_000).toISOString(),
      steps: [],
      version: 1,
    });
    if (!(await this.repository.create(created, filingKey))) {
      this.logger.warn(
        { kind: draft.kind, slackUserId: draft.requester.slackUserId },
        'a dialog that already filed a request was submitted again; nothing filed',
      );
      return undefined;
    }
    await this.audit(created, 'requested', draft.requester.vamsUserId, { kind: draft.kind });
    this.log(created).info(
      { kind: created.kind, requester: draft.requester.vamsUserId },
      'request created',
    );
    let card: AccessRequest['card'];
    try {
      card = await this.notifier.postCard(created);
    } catch (error) {
      await this.abandon(created, error);
      throw error;
    }
    const placed = await this.placeCard(created.id, card);
    await this.notifier.submitted(placed);
    return placed;
  }

  /** Nobody can decide a request whose card never appeared: it ends here, and says why. */
  private async abandon(request: AccessRequest, error: unknown): Promise<void> {
    const failure =
      'The request card could not be posted in the approvals channel, so nobody could decide it.';
    const failed: AccessRequest = {
      ...request,
      status: 'failed',
      failure,
      version: request.version + 1,
    };
    this.log(request).error({ err: error }, 'could not post the request card');
    if (await this.repository.replace(failed)) {
      await this.audit(failed, 'failed', undefined, { reason: failure });
    }
  }

  /** Records where the card is. Requests without a card refuse every click, so this wins. */
  private async placeCard(
    id: string,
    card: NonNullable<AccessRequest['card']>,
  ): Promise<AccessRequest> {
    for (let attempt = 0; attempt < MAX_RACE_RETRIES; attempt += 1) {
      const current = await this.repository.get(id);
      if (!current) break;
      const placed = { ...current, card, version: current.version + 1 };
      if (await this.repository.replace(placed)) return placed;
    }
    throw new Error(`could not record where the card of ${id} is`);
  }

  async get(id: string): Promise<AccessRequest | undefined> {
    return this.repository.get(id);
  }

  async open(): Promise<AccessRequest[]> {
    return this.repository.open();
  }

  /**
   * The request with its privilege and quorum as they stand now: a key acts with its owner's
   * roles, read live, so a key request becomes privileged when its owner becomes an admin.
   */
  private async evaluated(request: AccessRequest): Promise<AccessRequest> {
    const holder = privilegeHolder(request);
    const holderRoles = holder ? await this.roles.rolesOf(holder) : [];
    const privileged = privilegedRoles(request, this.settings, holderRoles);
    const next: AccessRequest = {
      ...request,
      requiredApprovals: quorumOf(
        this.settings.requiredApprovals(request.kind),
        privileged,
        this.settings,
      ),
    };
    if (privileged.length > 0) next.privileged = privileged;
    else delete next.privileged;
    return next;
  }

  /**
   * The request with its approvals counted again, roles read now: an approval whose approver may
   * no longer approve it is dropped, and kept on record for the card.
   */
  private async recounted(
    request: AccessRequest,
  ): Promise<{ request: AccessRequest; dropped: DroppedApproval[] }> {
    const refusals = await Promise.all(
      request.approvals.map(async (approval) => {
        const roles = await this.roles.rolesOf(approval.vamsUserId);
        return approverRefusal(request, { ...approval, roles }, this.settings);
      }),
    );
    const at = this.clock().toISOString();
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

  private async auditDropped(request: AccessRequest, dropped: readonly DroppedApproval[]) {
    for (const approval of dropped) {
      await this.audit(request, 'approval-dropped', approval.vamsUserId, {
        slackUserId: approval.slackUserId,
        reason: approval.code,
      });
    }
  }

  refusalFor(request: AccessRequest, clicker: Identity): DecisionRefusal | undefined {
    const decision = decideOn(request, clicker, this.settings, this.clock());
    return decision.allowed ? undefined : decision.refusal;
  }

  private async refuse(
    request: AccessRequest,
    clicker: Identity,
    action: string,
    refusal: DecisionRefusal,
  ): Promise<ClickResult> {
    await this.audit(
      request,
      'click-refused',
      clicker.mapped ? clicker.vamsUserId : clicker.slackUserId,
      {
        action,
        slackUserId: clicker.slackUserId,
        reason: refusal.code,
      },
    );
    this.log(request).info(
      { action, slackUserId: clicker.slackUserId, reason: refusal.code },
      'click refused',
    );
    return { outcome: 'refused', refusal, request };
  }

  /**
   * Records one approval. Lost races re-read and decide again, so simultaneous clicks by
   * distinct approvers all count and identical ones count once; only the write that reaches
   * the quorum moves the request to `approved` and runs it.
   */
  async approve(id: string, clicker: Identity): Promise<ClickResult> {
    for (let attempt = 0; attempt < MAX_RACE_RETRIES; attempt += 1) {
      const stored = await this.repository.get(id);
      if (!stored) return { outcome: 'not-found' };
      const request = stored.status === 'pending' ? await this.evaluated(stored) : stored;
      const decision = decideOn(request, clicker, this.settings, this.clock());
      if (!decision.allowed) return this.refuse(request, clicker, 'approve', decision.refusal);
      const roles = clicker.mapped ? clicker.roles : [];
      const approvals = [
        ...request.approvals,
        {
          slackUserId: clicker.slackUserId,
          vamsUserId: decision.vamsUserId,
          roles,
          at: this.clock().toISOString(),
        },
      ];
      const quorum = approvals.length >= request.requiredApprovals;
      const next: AccessRequest = {
        ...request,
        approvals,
        status: quorum ? 'approved' : 'pending',
        version: request.version + 1,
      };
      if (!(await this.repository.replace(next))) continue;
      await this.audit(next, 'approved', decision.vamsUserId, {
        slackUserId: clicker.slackUserId,
        tally: `${approvals.length}/${request.requiredApprovals}`,
      });
      this.log(next).info(
        { approver: decision.vamsUserId, tally: approvals.length },
        'approval recorded',
      );
      await this.notifier.cardChanged(next);
      if (quorum) await this.execute(next.id);
      return { outcome: 'done', request: (await this.repository.get(id)) ?? next };
    }
    return { outcome: 'busy' };
  }

  /** A failed request runs again from its failed step; the steps done are not repeated. */
  async retry(id: string, clicker: Identity): Promise<ClickResult> {
    for (let attempt = 0; attempt < MAX_RACE_RETRIES; attempt += 1) {
      const request = await this.repository.get(id);
      if (!request) return { outcome: 'not-found' };
      const decision = decideRetry(request, clicker, this.settings);
      if (!decision.allowed) return this.refuse(request, clicker, 'retry', decision.refusal);
      const next: AccessRequest = { ...request, status: 'approved', version: request.version + 1 };
      delete next.failure;
      if (!(await this.repository.replace(next))) continue;
      await this.audit(next, 'retried', decision.vamsUserId, { slackUserId: clicker.slackUserId });
      this.log(next).info({ by: decision.vamsUserId }, 'retrying a failed request');
      await this.notifier.cardChanged(next);
      await this.execute(next.id);
      return { outcome: 'done', request: (await this.repository.get(id)) ?? next };
    }
    return { outcome: 'busy' };
  }

  async reject(id: string, clicker: Identity, comment: string | undefined): Promise<ClickResult> {
    return this.end(id, clicker, 'reject', (request, by) => ({
      ...request,
      status: 'rejected',
      decision: { by, at: this.clock().toISOString(), ...(comment ? { comment } : {}) },
    }));
  }

  async cancel(id: string, clicker: Identity): Promise<ClickResult> {
    return this.end(id, clicker, 'cancel', (request, by) => ({
      ...request,
      status: 'cancelled',
      decision: { by, at: this.clock().toISOString() },
    }));
  }

  private cancelRefusal(request: AccessRequest, clicker: Identity): DecisionRefusal | undefined {
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

  private async end(
    id: string,
    clicker: Identity,
    action: 'reject' | 'cancel',
    change: (request: AccessRequest, by: Person) => AccessRequest,
  ): Promise<ClickResult> {
    for (let attempt = 0; attempt < MAX_RACE_RETRIES; attempt += 1) {
      const request = await this.repository.get(id);
      if (!request) return { outcome: 'not-found' };
      const refusal =
        action === 'cancel'
          ? this.cancelRefusal(request, clicker)
          : this.refusalFor(request, clicker);
      if (refusal || !clicker.mapped) {
        return this.refuse(request, clicker, action, refusal ?? { code: 'not-an-approver' });
      }
      const by = { slackUserId: clicker.slackUserId, vamsUserId: clicker.vamsUserId };
      const next = { ...change(request, by), version: request.version + 1 };
      if (!(await this.repository.replace(next))) continue;
      await this.audit(next, action === 'reject' ? 'rejected' : 'cancelled', clicker.vamsUserId, {
        ...(next.decision?.comment ? { comment: next.decision.comment } : {}),
      });
      this.log(next).info(
        { by: clicker.vamsUserId, status: next.status },
        `request ${next.status}`,
      );
      await this.notifier.cardChanged(next);
      await this.notifier.ended(next, `${next.status} by ${clicker.vamsUserId}`);
      return { outcome: 'done', request: next };
    }
    return { outcome: 'busy' };
  }

  /** Pending requests past their expiry become `expired`; their cards lose their buttons. */
  async expireDue(): Promise<number> {
    const now = this.clock();
    let expired = 0;
    for (const request of await this.repository.open()) {
      if (request.status !== 'pending' || Date.parse(request.expiresAt) > now.getTime()) continue;
      const next: AccessRequest = { ...request, status: 'expired', version: request.version + 1 };
      if (!(await this.repository.replace(next))) continue;
      expired += 1;
      await this.audit(next, 'expired');
      this.log(next).info('request expired');
      await this.notifier.cardChanged(next);
      await this.notifier.ended(next, 'expired: nobody decided in time');
    }
    return expired;
  }

  /** Approved but never started, or executing with a lapsed lease (its instance died): resume. */
  async resumeInterrupted(): Promise<number> {
    const now = this.clock().getTime();
    const stranded = (await this.repository.open()).filter(
      (request) =>
        request.status === 'approved' ||
        (request.status === 'executing' && Date.parse(request.lease?.until ?? '') < now),
    );
    for (const request of stranded) {
      this.log(request).warn({ status: request.status }, 'resuming an interrupted request');
      await this.execute(request.id);
    }
    return stranded.length;
  }

  private leaseUntil(): string {
    return new Date(this.clock().getTime() + this.settings.leaseMs).toISOString();
  }

  /**
   * Takes an approved request (or one whose runner's lease lapsed) to run it. Right before a
   * request first runs, its privilege and approvals are worked out again with roles read now: if
   * an approver lost the right meanwhile and too few remain, it goes back to waiting instead.
   */
  private async claim(id: string): Promise<AccessRequest | undefined> {
    const stored = await this.repository.get(id);
    if (!stored) return undefined;
    const lapsed = Date.parse(stored.lease?.until ?? '') < this.clock().getTime();
    if (stored.status !== 'approved' && !(stored.status === 'executing' && lapsed))
      return undefined;
    const firstRun = stored.status === 'approved' && stored.steps.length === 0;
    const { request, dropped } = firstRun
      ? await this.recounted(await this.evaluated(stored))
      : { request: stored, dropped: [] };
    const ready = request.approvals.length >= request.requiredApprovals;
    const next: AccessRequest = ready
      ? {
          ...request,
          status: 'executing',
          lease: { owner: this.instanceId, until: this.leaseUntil() },
          version: stored.version + 1,
        }
      : { ...request, status: 'pending', version: stored.version + 1 };
    if (!(await this.repository.replace(next))) return undefined;
    await this.auditDropped(next, dropped);
    if (ready) return next;
    this.log(next).warn(
      { dropped: dropped.map((approval) => approval.vamsUserId) },
      'too few approvals count now; waiting for another approver',
    );
    await this.notifier.cardChanged(next);
    return undefined;
  }

  private withStep(request: AccessRequest, step: StepRecord): AccessRequest {
    return {
      ...request,
      steps: [...request.steps.filter((existing) => existing.name !== step.name), step],
      lease: { owner: this.instanceId, until: this.leaseUntil() },
      version: request.version + 1,
    };
  }

  private stepStates(request: AccessRequest, steps: readonly Step[]): StepState[] {
    return steps.map((step) => {
      const record = request.steps.find((existing) => existing.name === step.name);
      const state = !record
        ? 'waiting'
        : record.status === 'started'
          ? 'running'
          : record.status === 'done'
            ? 'done'
            : 'failed';
      return {
        label: step.label,
        state,
        ...(record?.detail ? { detail: record.detail } : {}),
        ...(record?.detailParts ? { detailParts: record.detailParts } : {}),
      };
    });
  }

  /**
   * Runs the request's steps once. Each step is recorded as started before it acts and as done
   * before the next begins, with a version check: an instance that lost its lease stops at its
   * next write instead of acting twice.
   */
  async execute(id: string): Promise<void> {
    // A step slower than the lease (a Slack DM held by rate limits, Cognito backing off) must not
    // be started a second time by this same instance's sweep.
    if (this.running.has(id)) return;
    this.running.add(id);
    try {
      await this.executeClaimed(id);
    } finally {
      this.running.delete(id);
    }
  }

  private async executeClaimed(id: string): Promise<void> {
    let request = await this.claim(id);
    if (!request) return;
    const log = this.log(request);
    const executor = this.executors[request.kind];
    const steps = executor.steps(request);
    await this.audit(request, 'execution-started', undefined, { instance: this.instanceId });
    await this.notifier.progress(request, this.stepStates(request, steps));
    for (const step of steps) {
      if (stepDone(request, step.name)) continue;
      const current = request;
      const context: StepContext = {
        request: current,
        now: this.clock(),
        log,
        detailOf: (name) => current.steps.find((existing) => existing.name === name)?.detail,
      };
      const interrupted = stepStarted(request, step.name);
      let detail = interrupted && step.reconcile ? await step.reconcile(context) : undefined;
      if (detail === undefined) {
        if (!interrupted) {
          const started = this.withStep(request, {
            name: step.name,
            status: 'started',
            at: this.clock().toISOString(),
          });
          if (!(await this.repository.replace(started)))
            return log.warn('lost the request to another instance');
          request = started;
        }
        try {
          detail = await step.run({ ...context, request });
        } catch (error) {
          await this.fail(request, step, steps, error);
          return;
        }
      }
      const recorded = detailFields(detail);
      const done = this.withStep(request, {
        name: step.name,
        status: 'done',
        at: this.clock().toISOString(),
        ...recorded,
      });
      if (!(await this.repository.replace(done)))
        return log.warn('lost the request to another instance');
      request = done;
      await this.audit(request, 'step-done', undefined, {
        step: step.name,
        detail: recorded.detail,
      });
      await this.notifier.progress(request, this.stepStates(request, steps));
    }
    const succeeded: AccessRequest = {
      ...request,
      status: 'succeeded',
      version: request.version + 1,
    };
    delete succeeded.lease;
    if (!(await this.repository.replace(succeeded)))
      return log.warn('lost the request to another instance');
    const summary = executor.summary(succeeded);
    await this.audit(succeeded, 'succeeded', undefined, { summary });
    log.info('request succeeded');
    await this.notifier.cardChanged(succeeded);
    await this.notifier.finished(succeeded, summary);
  }

  private async fail(
    request: AccessRequest,
    step: Step,
    steps: readonly Step[],
    error: unknown,
  ): Promise<void> {
    const reason = error instanceof Error ? error.message : String(error);
    const done = steps
      .filter((candidate) => stepDone(request, candidate.name))
      .map((candidate) => candidate.label);
    const failure = `Step “${step.label}” failed: ${reason}. Already done: ${done.length > 0 ? done.join('; ') : 'nothing'}.`;
    const failedStep = this.withStep(request, {
      name: step.name,
      status: 'failed',
      at: this.clock().toISOString(),
      detail: reason,
    });
    const failed: AccessRequest = { ...failedStep, status: 'failed', failure };
    delete failed.lease;
    const log = this.log(request);
    log.error({ step: step.name, err: error }, 'request failed');
    if (!(await this.repository.replace(failed)))
      return log.warn('lost the request to another instance');
    await this.audit(failed, 'failed', undefined, { step: step.name, reason });
    await this.notifier.progress(failed, this.stepStates(failed, steps));
    await this.notifier.cardChanged(failed);
    await this.notifier.finished(failed, failure);
  }
}
