import type { Identity } from '../../src/auth/identity';
import type { AuditEvent } from '../../src/domain/audit';
import {
  type AccessRequest,
  accessRequest,
  type Notice,
  type RequestKind,
} from '../../src/domain/request';
import { createLogger } from '../../src/logging';
import type { LifecyclePolicy } from '../../src/workflow/lifecycle';
import type { RequestRepository } from '../../src/workflow/request-updates';
import type { RequestNotifier, RunnerPorts } from '../../src/workflow/runner';
import { Runner } from '../../src/workflow/runner';
import { type KindExecutor, type StepState, unavailableExecutor } from '../../src/workflow/steps';

/**
 * The bot table's request rows in memory, with the same conditional-write rule. `loseAnswers`
 * makes the next writes apply and then report a conflict, as a write whose answer was lost
 * does when the SDK retries it.
 */
export class MemoryRequests implements RequestRepository {
  readonly events: AuditEvent[] = [];
  readonly writes: AccessRequest[] = [];
  loseAnswers = 0;
  private readonly rows = new Map<string, AccessRequest>();
  private readonly filings = new Set<string>();

  async create(request: AccessRequest, filingKey?: string): Promise<boolean> {
    if (this.rows.has(request.id)) throw new Error('exists');
    if (filingKey !== undefined) {
      if (this.filings.has(filingKey)) return false;
      this.filings.add(filingKey);
    }
    this.rows.set(request.id, structuredClone(request));
    return true;
  }

  async get(id: string): Promise<AccessRequest | undefined> {
    const row = this.rows.get(id);
    return row ? structuredClone(row) : undefined;
  }

  async replace(next: AccessRequest, events: readonly AuditEvent[] = []): Promise<boolean> {
    const current = this.rows.get(next.id);
    if (current?.version !== next.version - 1) return false;
    this.rows.set(next.id, structuredClone(next));
    this.events.push(...structuredClone(events));
    this.writes.push(structuredClone(next));
    if (this.loseAnswers > 0) {
      this.loseAnswers -= 1;
      return false;
    }
    return true;
  }

  async open(): Promise<AccessRequest[]> {
    return [...this.rows.values()]
      .filter((row) => ['pending', 'approved', 'executing'].includes(row.status))
      .map((row) => structuredClone(row));
  }

  async unsent(): Promise<AccessRequest[]> {
    return [...this.rows.values()]
      .filter((row) => !['pending', 'approved', 'executing'].includes(row.status))
      .filter((row) => (row.outbox ?? []).length > 0)
      .map((row) => structuredClone(row));
  }

  async appendEvent(event: AuditEvent): Promise<void> {
    this.events.push(structuredClone(event));
  }

  eventTypes(requestId: string): string[] {
    return this.events.filter((event) => event.requestId === requestId).map((event) => event.type);
  }
}

export interface Delivered {
  requestId: string;
  type: Notice['type'];
  noticeId: string;
  summary: string | undefined;
  status: AccessRequest['status'];
}

/**
 * What people would see, in memory: every notice delivered, with the rule Slack metadata gives
 * the real notifier (a recovering delivery finds a message already sent and sends none).
 */
export class MemoryNotifier implements RequestNotifier {
  readonly delivered: Delivered[] = [];
  readonly checklists: Array<{ requestId: string; steps: StepState[] }> = [];
  /** Deliveries to fail, by notice type: each failure uses one up. */
  readonly failing = new Map<Notice['type'], number>();
  /** Set to throw on every delivery, as a process that died right after its write would. */
  dead = false;

  async postCard(request: AccessRequest): Promise<{ channel: string; ts: string }> {
    return { channel: 'C0CARDS', ts: `1700000000.${request.id.length}` };
  }

  async progress(request: AccessRequest, steps: StepState[]): Promise<void> {
    this.checklists.push({ requestId: request.id, steps });
  }

  async deliver(request: AccessRequest, notice: Notice, recovering: boolean): Promise<void> {
    if (this.dead) throw new Error('the process is gone');
    const failures = this.failing.get(notice.type) ?? 0;
    if (failures > 0) {
      this.failing.set(notice.type, failures - 1);
      throw new Error('slack said no');
    }
    const sent = this.delivered.some(
      (entry) => entry.requestId === request.id && entry.noticeId === notice.id,
    );
    if (recovering && sent && notice.type !== 'card') return;
    this.delivered.push({
      requestId: request.id,
      type: notice.type,
      noticeId: notice.id,
      summary: notice.summary,
      status: request.status,
    });
  }

  of(requestId: string): Array<[Notice['type'], string | undefined]> {
    return this.delivered
      .filter((entry) => entry.requestId === requestId)
      .map((entry) => [entry.type, entry.summary]);
  }
}

export const POLICY: LifecyclePolicy = {
  adminRoles: ['admin'],
  managerRoles: ['manager'],
  allowSelfApproval: false,
  privilegedApprovals: 1,
  managerGrantableRoles: [],
  requiredApprovals: () => 1,
  leaseMs: 60_000,
};

export function person(
  slackUserId: string,
  vamsUserId: string,
  roles: string[],
): Extract<Identity, { mapped: true }> {
  return {
    mapped: true,
    slackUserId,
    vamsUserId,
    source: 'email-is-user-id',
    email: vamsUserId,
    roles,
  };
}

export const ADA = person('U0ADA', 'ada@example.com', ['admin']);
export const ALAN = person('U0ALAN', 'alan@example.com', ['admin']);
export const MAX = person('U0MAX', 'max@example.com', ['manager']);

/** A pending onboarding request as filed by Max, its card posted. */
export function pendingOnboarding(overrides: Partial<AccessRequest> = {}): AccessRequest {
  const at = '2026-12-01T10:00:00.000Z';
  return accessRequest.parse({
    id: 'RTEST0001',
    kind: 'user.create',
    params: { userId: 'nia', email: 'nia@example.com', roles: ['viewer'] },
    reason: 'joins the team',
    requester: { slackUserId: MAX.slackUserId, vamsUserId: MAX.vamsUserId },
    subject: 'nia',
    status: 'pending',
    approvals: [],
    requiredApprovals: 1,
    preflight: [],
    card: { channel: 'C0CARDS', ts: '1700000000.000100' },
    createdAt: at,
    expiresAt: '2026-12-02T10:00:00.000Z',
    steps: [],
    version: 2,
    ...overrides,
  });
}

/** A clock tests move by hand. */
export function manualClock(start = '2026-12-01T10:05:00.000Z') {
  let now = Date.parse(start);
  return {
    now: () => new Date(now),
    advance: (ms: number) => {
      now += ms;
    },
  };
}

let writes = 0;

export function memoryRunner(
  overrides: Omit<Partial<RunnerPorts>, 'executorOf'> & {
    executors: Partial<Record<RequestKind, KindExecutor>>;
  },
): { runner: Runner; repository: MemoryRequests; notifier: MemoryNotifier } {
  const repository =
    overrides.repository instanceof MemoryRequests ? overrides.repository : new MemoryRequests();
  const notifier =
    overrides.notifier instanceof MemoryNotifier ? overrides.notifier : new MemoryNotifier();
  const runner = new Runner({
    repository,
    notifier,
    roles: { rolesOf: async (vamsUserId) => (vamsUserId.startsWith('a') ? ['admin'] : []) },
    policy: POLICY,
    logger: createLogger('silent'),
    clock: () => new Date('2026-12-01T10:05:00.000Z'),
    instanceId: 'runner-a',
    writeId: () => {
      writes += 1;
      return `w${writes}`;
    },
    ...overrides,
    executorOf: (kind) => overrides.executors[kind] ?? unavailableExecutor('not part of this test'),
  });
  return { runner, repository, notifier };
}
