import { randomUUID } from 'node:crypto';
import { privilegeHolder } from '../auth/approval-policy';
import { failureReason } from '../domain/errors';
import type { Metrics } from '../domain/metrics';
import type { AccessRequest, Notice, RequestKind } from '../domain/request';
import { plainDetail, stepDone, stepStarted } from '../domain/request';
import type { AppLogger } from '../logging';
import { Slots } from '../util/slots';
import {
  cardState,
  type LifecycleEvent,
  type LifecyclePolicy,
  type LiveRoles,
  noticeDue,
  transition,
} from './lifecycle';
import { type RequestRepository, type UpdateOutcome, updateRequest } from './request-updates';
import {
  isStepResult,
  type KindExecutor,
  LeaseLostError,
  type Step,
  type StepContext,
  type StepOutcome,
  type StepState,
} from './steps';

/** Roles by VAMS user ID that this process read for the request at hand, and from when. */
export interface RolesJustRead {
  /** When the earliest of them was read (the clock's milliseconds). */
  at: number;
  roles: Readonly<Record<string, readonly string[]>>;
}

/**
 * Roles read this recently count as read now. Older ones (a run that waited for its turn, a
 * Slack call that took its time) are read again: a role given or taken meanwhile must count.
 */
export const JUST_READ_MS = 2_000;

/** A runner's hold on a request while it executes it. */
interface Lease {
  check(): void;
  fence(): Promise<void>;
  /** `request`, or the request as a renewal of this lease wrote it since, if that is newer. */
  newest(request: AccessRequest): AccessRequest;
  /** The runner wrote the request so: a renewal writes on it rather than reading it first. */
  wrote(request: AccessRequest): void;
  stop(): void;
}

/** How the workflow tells people what happens; the Slack adapter renders it. */
export interface RequestNotifier {
  postCard(request: AccessRequest): Promise<{ channel: string; ts: string }>;
  /** Best effort: the thread's checklist while a request runs. */
  progress(request: AccessRequest, steps: StepState[]): Promise<void>;
  /**
   * Delivers one notice; throws when it could not. `recovering`: an earlier delivery may have
   * gone out before its process died, so a message already there is not sent again.
   */
  deliver(request: AccessRequest, notice: Notice, recovering: boolean): Promise<void>;
  /** Sends now what it holds back (a checklist waiting out its second). */
  settle?(): Promise<void>;
}

/** Where approvers' roles are read, live, when their approvals are counted. */
export interface ApproverRoles {
  rolesOf(vamsUserId: string): Promise<string[]>;
}

export interface RunnerPorts {
  repository: RequestRepository;
  notifier: RequestNotifier;
  /** The steps and summary of a kind. */
  executorOf(kind: RequestKind): KindExecutor;
  roles: ApproverRoles;
  policy: LifecyclePolicy;
  logger: AppLogger;
  clock: () => Date;
  /** This runner's name in leases. */
  instanceId: string;
  writeId: () => string;
  /**
   * How many requests this runner executes at once; more wait their turn, stored as approved (a
   * process that dies meanwhile leaves them to a sweep). Unset: no bound.
   */
  runsAtOnce?: number;
  metrics?: Metrics;
}

function stepStates(request: AccessRequest, steps: readonly Step[]): StepState[] {
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

function recorded(outcome: StepOutcome) {
  const { detail, output } = isStepResult(outcome)
    ? outcome
    : { detail: outcome, output: undefined };
  return typeof detail === 'string'
    ? { detail, output }
    : { detail: plainDetail(detail), detailParts: [...detail], output };
}

// A card whose request keeps changing while it is drawn is drawn this many times at most here;
// the sweep draws it after that.
const CARD_ROUNDS = 3;

/**
 * Runs approved requests from their durable state: claims one under a lease, renews the lease
 * while a step runs, records every step before the next begins, and delivers what people must
 * be told. Anything that can read the bot table can run it: this process right after a click,
 * its sweep after a crash, or a separate worker.
 */
export class Runner {
  /** Requests this runner is executing now: its own sweep must not start them again. */
  private readonly running = new Set<string>();
  /** Requests whose notices this runner is delivering now: its sweep leaves them alone. */
  private readonly delivering = new Set<string>();
  private readonly slots: Slots;
  /** Set when the process stops: runs still waiting for their turn stay for a sweep. */
  private closing = false;

  constructor(private readonly ports: RunnerPorts) {
    this.slots = new Slots(ports.runsAtOnce ?? Number.MAX_SAFE_INTEGER);
  }

  private log(request: { id: string }): AppLogger {
    return this.ports.logger.child({ requestId: request.id });
  }

  /** The process stops: runs not yet begun are left, approved, to a sweep (another's, or the next start's). */
  close(): void {
    this.closing = true;
  }

  /** `known`: the request as this process last wrote or read it (see `updateRequest`). */
  update(
    id: string,
    event: LifecycleEvent | ((current: AccessRequest) => Promise<LifecycleEvent>),
    known?: AccessRequest,
  ): Promise<UpdateOutcome> {
    const { repository, clock, writeId, policy, metrics } = this.ports;
    return updateRequest(
      { repository, clock, writeId, ...(metrics ? { metrics } : {}) },
      id,
      async (current) =>
        transition(
          current,
          typeof event === 'function' ? await event(current) : event,
          clock(),
          policy,
        ),
      known,
    );
  }

  /**
   * Roles read now for the rules that depend on them: the holder's, and the approvers' too.
   * `justRead`: roles this process read for this same request (the clicker's, as the click was
   * authorised) within the last `JUST_READ_MS`, which count as read now; anyone else's, or any
   * read longer ago, is read.
   */
  async liveRoles(
    request: AccessRequest,
    approvers: boolean,
    justRead?: RolesJustRead,
  ): Promise<LiveRoles> {
    const { roles, clock } = this.ports;
    const recent =
      justRead && clock().getTime() - justRead.at <= JUST_READ_MS ? justRead.roles : {};
    const rolesOf = (vamsUserId: string) =>
      Object.hasOwn(recent, vamsUserId)
        ? Promise.resolve(recent[vamsUserId] ?? [])
        : roles.rolesOf(vamsUserId);
    const holder = privilegeHolder(request);
    const [holderRoles, approverRoles] = await Promise.all([
      holder ? rolesOf(holder) : Promise.resolve([]),
      approvers
        ? Promise.all(
            request.approvals.map(
              async (approval) =>
                [approval.vamsUserId, await rolesOf(approval.vamsUserId)] as const,
            ),
          )
        : Promise.resolve([]),
    ]);
    return { holder: holderRoles, approvers: Object.fromEntries(approverRoles) };
  }

  /**
   * Delivers notices and records which went out; notices that failed stay for the sweep. The
   * card is drawn from `request`, the request as this process last wrote or read it, and drawn
   * again from the table when what it shows changed meanwhile. Resolves to the request as this
   * delivery last wrote it; undefined when it wrote nothing.
   */
  async deliver(
    request: AccessRequest,
    notices: readonly Notice[],
    recovering: boolean,
  ): Promise<AccessRequest | undefined> {
    let pending = notices;
    let latest: AccessRequest | undefined = notices.length === 0 ? request : undefined;
    for (let round = 0; round < CARD_ROUNDS && pending.length > 0; round += 1) {
      const once = await this.deliverOnce(
        request.id,
        pending,
        recovering,
        round === 0 ? request : undefined,
      );
      latest = once.written ?? latest;
      pending = once.kept.filter((notice) => notice.type === 'card');
    }
    return latest;
  }

  /**
   * One round of `deliver`, on `known` or the request as stored now. Keeps the card notice when
   * what the card shows changed while it was drawn, even if a newer notice replaced it: a late
   * update must not leave a stale card.
   */
  private async deliverOnce(
    id: string,
    notices: readonly Notice[],
    recovering: boolean,
    known: AccessRequest | undefined,
  ): Promise<{ kept: Notice[]; written?: AccessRequest }> {
    const current = known ?? (await this.ports.repository.get(id));
    if (!current) return { kept: [] };
    this.delivering.add(id);
    const sent: string[] = [];
    const failed: string[] = [];
    try {
      for (const notice of notices) {
        try {
          await this.ports.notifier.deliver(current, notice, recovering);
          sent.push(notice.id);
        } catch (error) {
          this.log(current).warn({ err: error, notice: notice.type }, 'could not deliver a notice');
          failed.push(notice.id);
        }
      }
    } finally {
      this.delivering.delete(id);
    }
    const drawn = cardState(current);
    const recorded = await this.update(
      id,
      { type: 'notices', sent, failed, cardDrawn: drawn },
      current,
    );
    if (recorded.outcome !== 'written') return { kept: [] };
    const kept = notices.filter(
      (notice) =>
        notice.type === 'card' && sent.includes(notice.id) && cardState(recorded.request) !== drawn,
    );
    return { kept, written: recorded.request };
  }

  /**
   * Delivers what a write added, when it was written. Resolves to the request as last written,
   * by that write or by recording the notices; undefined when nothing was written.
   */
  async told(outcome: UpdateOutcome): Promise<AccessRequest | undefined> {
    if (outcome.outcome !== 'written') return undefined;
    return this.deliver(outcome.request, outcome.added, false);
  }

  /**
   * Runs the request if it is approved, or executing under a lease that lapsed. Resolves when
   * this run ends, however it ends; never throws for the request's own failures. `known`: the
   * request as this process last wrote it, if it did.
   */
  /** `urgent`: runs at once, not waiting for a turn (break-glass, which nobody approves first). */
  async run(
    id: string,
    known?: AccessRequest,
    justRead?: RolesJustRead,
    urgent = false,
  ): Promise<void> {
    // A step slower than the lease (a Slack DM held by rate limits, Cognito backing off) must not
    // be started a second time by this same runner's sweep.
    if (this.running.has(id)) return;
    this.running.add(id);
    try {
      // Waiting for a slot counts as running: this runner's sweep leaves it alone meanwhile.
      // A run whose turn comes after the process was told to stop leaves the request approved.
      if (urgent) await this.runClaimed(id, known, justRead);
      else
        await this.slots.run(async () => {
          if (!this.closing) await this.runClaimed(id, known, justRead);
        });
    } finally {
      this.running.delete(id);
    }
  }

  private async runClaimed(
    id: string,
    known: AccessRequest | undefined,
    justRead: RolesJustRead | undefined,
  ): Promise<void> {
    const { instanceId: owner } = this.ports;
    const claimed = await this.update(
      id,
      async (current) => ({
        type: 'claim',
        owner,
        // Approvals are counted again only before a request's first step. Roles read moments ago
        // count only for the request as it was then: a request read anew has its roles read anew.
        roles:
          current.status === 'approved' && current.steps.length === 0
            ? await this.liveRoles(
                current,
                true,
                current.version === known?.version ? justRead : undefined,
              )
            : { holder: [] },
      }),
      known,
    );
    if (claimed.outcome !== 'written') return;
    // The lease is kept from the moment it is taken: telling people may wait on rate limits.
    const lease =
      claimed.request.status === 'executing' ? this.heartbeat(id, claimed.request) : undefined;
    try {
      const told = (await this.told(claimed)) ?? claimed.request;
      lease?.wrote(told);
      if (lease) await this.execute(told, lease);
      else if (claimed.request.status === 'failed') {
        this.log(claimed.request).error('started too many times without finishing; failed');
      } else {
        const dropped = (claimed.request.droppedApprovals ?? []).map((drop) => drop.vamsUserId);
        this.log(claimed.request).warn(
          { dropped },
          'too few approvals count now; waiting for another approver',
        );
      }
    } catch (error) {
      if (!(error instanceof LeaseLostError)) throw error;
      this.log(claimed.request).warn('lost the request to another runner');
    } finally {
      lease?.stop();
    }
  }

  private async execute(claimed: AccessRequest, lease: Lease): Promise<void> {
    const { instanceId: owner } = this.ports;
    const { id } = claimed;
    let request = claimed;
    const log = this.log(request);
    const lost = () => log.warn('lost the request to another runner');
    const executor = this.ports.executorOf(request.kind);
    const steps = executor.steps(request);
    await this.ports.notifier.progress(request, stepStates(request, steps));
    for (const step of steps) {
      if (stepDone(request, step.name)) continue;
      lease.check();
      const resumed = stepStarted(request, step.name);
      const context = (current: AccessRequest): StepContext => ({
        request: current,
        now: this.ports.clock(),
        log,
        fence: lease.fence,
        resumed,
      });
      let outcome: StepOutcome | undefined;
      try {
        outcome = resumed && step.reconcile ? await step.reconcile(context(request)) : undefined;
        if (outcome === undefined) {
          if (!resumed) {
            const started = await this.update(
              id,
              { type: 'step-started', owner, step: step.name },
              lease.newest(request),
            );
            if (started.outcome !== 'written') return lost();
            request = started.request;
            lease.wrote(request);
          }
          outcome = await step.run(context(request));
        }
      } catch (error) {
        if (error instanceof LeaseLostError) return lost();
        await this.fail(request, step, steps, error);
        return;
      }
      const done = await this.update(
        id,
        { type: 'step-done', owner, step: step.name, ...recorded(outcome) },
        lease.newest(request),
      );
      if (done.outcome !== 'written') return lost();
      request = done.request;
      lease.wrote(request);
      await this.ports.notifier.progress(request, stepStates(request, steps));
    }
    const succeeded = await this.update(
      id,
      (current) =>
        Promise.resolve({
          type: 'succeed',
          owner,
          summary: executor.summary({ ...current, status: 'succeeded' }),
        }),
      lease.newest(request),
    );
    if (succeeded.outcome !== 'written') return lost();
    log.info('request succeeded');
    await this.told(succeeded);
  }

  private async fail(
    request: AccessRequest,
    step: Step,
    steps: readonly Step[],
    error: unknown,
  ): Promise<void> {
    // A domain error says what went wrong in words for people; anything else (an SDK's error,
    // a bug) shows only the reference its log line carries.
    const incident = randomUUID().slice(0, 8);
    const reason = failureReason(error, incident);
    const done = steps
      .filter((candidate) => stepDone(request, candidate.name))
      .map((candidate) => candidate.label);
    const failure = `Step “${step.label}” failed: ${reason}. Already done: ${done.length > 0 ? done.join('; ') : 'nothing'}.`;
    const log = this.log(request);
    log.error({ step: step.name, err: error, incident }, 'request failed');
    const failed = await this.update(request.id, {
      type: 'step-failed',
      owner: this.ports.instanceId,
      step: step.name,
      reason,
      failure,
    });
    if (failed.outcome !== 'written') return log.warn('lost the request to another runner');
    await this.ports.notifier.progress(failed.request, stepStates(failed.request, steps));
    await this.told(failed);
  }

  /**
   * Keeps the lease while steps run, however long one takes. `fence()` renews it with a
   * conditional write, so an effect right after it has a whole lease behind it, and throws once
   * another runner holds the request; `check()` throws when a renewal already found that.
   */
  private heartbeat(id: string, claimed: AccessRequest): Lease {
    const { instanceId: owner, policy, logger } = this.ports;
    let lost = false;
    let renewed: AccessRequest | undefined;
    // The request as last written by this runner or a renewal: what a renewal writes on. When
    // someone else wrote since, the write is refused and the renewal reads the request anew.
    let latest: AccessRequest | undefined = claimed;
    const saw = (request: AccessRequest) => {
      if (request.version > (latest?.version ?? 0)) latest = request;
    };
    const renew = async () => {
      const outcome = await this.update(id, { type: 'renew', owner }, latest);
      if (outcome.outcome === 'refused' || outcome.outcome === 'not-found') lost = true;
      if (outcome.outcome === 'written' && outcome.request.version > (renewed?.version ?? 0)) {
        renewed = outcome.request;
      }
      if (outcome.outcome === 'written') saw(outcome.request);
      return outcome.outcome === 'written';
    };
    const timer = setInterval(
      () => {
        void renew().catch((error: unknown) =>
          logger.warn({ err: error, requestId: id }, 'could not renew a lease'),
        );
      },
      Math.max(20, Math.floor(policy.leaseMs / 3)),
    );
    timer.unref();
    const check = () => {
      if (lost) throw new LeaseLostError(id);
    };
    return {
      check,
      fence: async () => {
        check();
        if (!(await renew())) {
          lost = true;
          check();
        }
      },
      newest: (request) => (renewed && renewed.version > request.version ? renewed : request),
      wrote: saw,
      stop: () => clearInterval(timer),
    };
  }

  /**
   * What a crash left behind: approved requests nobody started, executions whose lease lapsed,
   * and notices nobody delivered (older than a lease, so not ones a live runner is sending).
   */
  async sweep(): Promise<number> {
    const { repository, clock, policy } = this.ports;
    const now = clock().getTime();
    const open = await repository.open();
    const stranded = open.filter(
      (request) =>
        request.status === 'approved' ||
        (request.status === 'executing' && Date.parse(request.lease?.until ?? '') < now),
    );
    // One request's failure must not keep the sweep from the others.
    const each = async (request: AccessRequest, work: () => Promise<void>, what: string) => {
      try {
        await work();
      } catch (error) {
        this.log(request).error({ err: error }, what);
      }
    };
    let resumed = 0;
    for (const request of stranded) {
      // This runner's own runs, under way or waiting for a slot, were not interrupted. With
      // every slot taken the sweep goes on to what else it does; its next round takes the rest.
      if (this.running.has(request.id)) continue;
      if (this.closing || !this.slots.free) break;
      resumed += 1;
      this.log(request).warn({ status: request.status }, 'resuming an interrupted request');
      await each(request, () => this.run(request.id), 'could not resume a request');
    }
    for (const listed of [...open, ...(await repository.unsent())]) {
      if (this.running.has(listed.id) || this.delivering.has(listed.id)) continue;
      if (!listed.outbox?.some((notice) => noticeDue(notice, policy) <= now)) continue;
      await each(
        listed,
        async () => {
          const request = await repository.get(listed.id);
          const due = (request?.outbox ?? []).filter((notice) => noticeDue(notice, policy) <= now);
          if (!request || due.length === 0) return;
          this.log(request).warn({ notices: due.length }, 'delivering notices left behind');
          await this.deliver(request, due, true);
        },
        'could not deliver notices left behind',
      );
    }
    return resumed;
  }
}
