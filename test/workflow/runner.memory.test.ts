import { z } from 'zod';
import { DomainError } from '../../src/domain/errors';
import { type AccessRequest, outputOf } from '../../src/domain/request';
import { MAX_RUNS, transition } from '../../src/workflow/lifecycle';
import { JUST_READ_MS } from '../../src/workflow/runner';
import type { KindExecutor, Step } from '../../src/workflow/steps';
import {
  ADA,
  MAX,
  MemoryNotifier,
  MemoryRequests,
  manualClock,
  memoryRunner,
  POLICY,
  pendingOnboarding,
} from '../support/memory-workflow';

/** A request approved by Ada, stored, ready for a runner. */
async function approvedIn(repository: MemoryRequests, id = 'RTEST0001'): Promise<AccessRequest> {
  const result = transition(
    pendingOnboarding({ id }),
    { type: 'approve', clicker: ADA, roles: { holder: [] } },
    new Date('2026-12-01T10:04:00.000Z'),
    POLICY,
  );
  if (!result.ok) throw new Error('refused');
  const approved = { ...result.request, outbox: [], version: 3 };
  await repository.create(approved);
  return approved;
}

/** Steps that count their effects, so that running one twice shows. */
function countingKind(effects: string[], extra: Partial<Record<string, Partial<Step>>> = {}) {
  const step = (name: string): Step => ({
    name,
    label: `Do ${name}`,
    run: async () => {
      effects.push(name);
      return { detail: `${name} done`, output: { name, count: effects.length } };
    },
    ...extra[name],
  });
  const executor: KindExecutor = {
    steps: () => [step('one'), step('two'), step('three')],
    summary: (request) => `ran ${request.steps.length} steps`,
  };
  return { 'user.create': executor };
}

/** A promise to wait on, and the function that settles it. */
function latch(): { wait: Promise<void>; open: () => void } {
  let open: () => void = () => {};
  const wait = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { wait, open };
}

/** One bot table, one Slack and one clock that several runners share. */
function shared() {
  return { clock: manualClock(), repository: new MemoryRequests(), notifier: new MemoryNotifier() };
}

/** Another runner (another instance, or the same after a restart) on what `world` holds. */
function secondRunner(world: ReturnType<typeof shared>, executors = countingKind([])) {
  const { repository, notifier, clock } = world;
  return memoryRunner({ repository, notifier, clock: clock.now, instanceId: 'runner-b', executors })
    .runner;
}

/** What a runner that died inside its steps left behind: executing under a lapsed lease. */
async function strand(
  repository: MemoryRequests,
  approved: AccessRequest,
  steps: AccessRequest['steps'],
  lease = { owner: 'dead', until: '2026-12-01T10:06:00.000Z' },
): Promise<void> {
  await repository.replace({
    ...approved,
    status: 'executing',
    lease,
    steps,
    version: approved.version + 1,
  });
}

/** How many times a runner took the request to run it. */
function starts(repository: MemoryRequests): number {
  return repository.eventTypes('RTEST0001').filter((type) => type === 'execution-started').length;
}

describe('the runner', () => {
  it('runs every step once, hands outputs on, and tells the card, the thread and the requester once', async () => {
    const effects: string[] = [];
    const { runner, repository, notifier } = memoryRunner({ executors: countingKind(effects) });
    await approvedIn(repository);
    await runner.run('RTEST0001');
    await runner.run('RTEST0001');
    const done = await repository.get('RTEST0001');
    expect(done?.status).toBe('succeeded');
    expect(effects).toEqual(['one', 'two', 'three']);
    expect(done && outputOf(done, 'two', z.object({ count: z.number() }))).toEqual({ count: 2 });
    expect(notifier.of('RTEST0001')).toEqual([
      ['card', undefined],
      ['result', 'ran 3 steps'],
      ['outcome', 'ran 3 steps'],
    ]);
    expect(done?.outbox).toBeUndefined();
    expect(repository.eventTypes('RTEST0001')).toEqual([
      'execution-started',
      'step-done',
      'step-done',
      'step-done',
      'succeeded',
    ]);
  });

  it('fails at the failing step, says what was done, and tells everyone', async () => {
    const effects: string[] = [];
    const { runner, repository, notifier } = memoryRunner({
      executors: countingKind(effects, {
        two: { run: () => Promise.reject(new DomainError('user-gone', 'Cognito said no')) },
      }),
    });
    await approvedIn(repository);
    await runner.run('RTEST0001');
    const failed = await repository.get('RTEST0001');
    const failure = 'Step “Do two” failed: Cognito said no. Already done: Do one.';
    expect([failed?.status, failed?.failure]).toEqual(['failed', failure]);
    expect(effects).toEqual(['one']);
    expect(notifier.of('RTEST0001')).toEqual([
      ['card', undefined],
      ['result', failure],
      ['outcome', failure],
    ]);
  });

  it('shows a failure that is not meant for people only as an incident reference', async () => {
    const { runner, repository } = memoryRunner({
      executors: countingKind([], {
        one: {
          run: () => Promise.reject(new Error('AccessDeniedException: arn:aws:iam::123:role/x')),
        },
      }),
    });
    await approvedIn(repository);
    await runner.run('RTEST0001');
    const failed = await repository.get('RTEST0001');
    expect(failed?.failure).toMatch(
      /^Step “Do one” failed: an internal error \(reference [0-9a-f]{8}\)\./,
    );
    expect(JSON.stringify(failed)).not.toContain('AccessDenied');
  });

  it('resumes after a crash between step-started and step-done: the reconciled step is not run again', async () => {
    const effects: string[] = [];
    const reconciled: boolean[] = [];
    const { runner, repository } = memoryRunner({
      executors: countingKind(effects, {
        two: {
          reconcile: async (context) => {
            reconciled.push(context.resumed);
            return { detail: 'found it done', output: { name: 'two', count: 0 } };
          },
        },
      }),
      clock: () => new Date('2026-12-01T10:20:00.000Z'),
    });
    const approved = await approvedIn(repository);
    // What a runner that died inside step two left behind.
    await strand(repository, approved, [
      { name: 'one', status: 'done', at: approved.createdAt, detail: 'one done' },
      { name: 'two', status: 'started', at: approved.createdAt },
    ]);
    expect(await runner.sweep()).toBe(1);
    const done = await repository.get(approved.id);
    expect(done?.status).toBe('succeeded');
    expect(effects).toEqual(['three']);
    expect(reconciled).toEqual([true]);
    expect(done?.steps.find((step) => step.name === 'two')?.detail).toBe('found it done');
  });

  it('a step whose reconcile finds nothing runs again, told that it resumes', async () => {
    const resumed: boolean[] = [];
    const { runner, repository } = memoryRunner({
      executors: countingKind([], {
        one: {
          run: async (context) => {
            resumed.push(context.resumed);
            return 'ran';
          },
          reconcile: async () => undefined,
        },
      }),
      clock: () => new Date('2026-12-01T10:20:00.000Z'),
    });
    const approved = await approvedIn(repository);
    await strand(repository, approved, [
      { name: 'one', status: 'started', at: approved.createdAt },
    ]);
    await runner.sweep();
    expect(resumed).toEqual([true]);
    expect((await repository.get(approved.id))?.status).toBe('succeeded');
  });

  it('leaves a request alone while another runner holds its lease', async () => {
    const effects: string[] = [];
    const { runner, repository } = memoryRunner({ executors: countingKind(effects) });
    const approved = await approvedIn(repository);
    await strand(repository, approved, [], {
      owner: 'runner-b',
      until: '2026-12-01T10:06:00.000Z',
    });
    expect(await runner.sweep()).toBe(0);
    await runner.run(approved.id);
    expect(effects).toEqual([]);
  });

  it('takes over a lapsed lease; the runner that lost it stops before its next effect', async () => {
    const effects: string[] = [];
    const world = shared();
    const { repository, notifier, clock } = world;
    const inTwo = latch();
    const release = latch();
    const stalled = memoryRunner({
      repository,
      notifier,
      clock: clock.now,
      executors: countingKind(effects, {
        two: {
          run: async (context) => {
            inTwo.open();
            await release.wait;
            await context.fence();
            effects.push('two by the stalled runner');
            return 'two';
          },
        },
      }),
    });
    await approvedIn(repository);
    const first = stalled.runner.run('RTEST0001');
    await inTwo.wait;
    // The stalled runner renews nothing for five minutes: its lease lapses and another takes it.
    clock.advance(5 * 60_000);
    await secondRunner(world, countingKind(effects)).sweep();
    release.open();
    await first;
    const done = await repository.get('RTEST0001');
    expect(done?.status).toBe('succeeded');
    expect(effects).toEqual(['one', 'two', 'three']);
    expect(starts(repository)).toBe(2);
    expect(notifier.of('RTEST0001').filter(([type]) => type === 'outcome')).toHaveLength(1);
  });

  it('renews the lease while a step runs longer than the lease, so nobody else starts it', async () => {
    const effects: string[] = [];
    const repository = new MemoryRequests();
    const notifier = new MemoryNotifier();
    const policy = { ...POLICY, leaseMs: 60 };
    const slow = memoryRunner({
      repository,
      notifier,
      policy,
      clock: () => new Date(),
      executors: countingKind(effects, {
        one: {
          run: async () => {
            await new Promise((resolve) => setTimeout(resolve, 300));
            effects.push('one');
            return 'slow';
          },
        },
      }),
    });
    const other = memoryRunner({
      repository,
      notifier,
      policy,
      clock: () => new Date(),
      instanceId: 'runner-b',
      executors: countingKind(effects),
    });
    await approvedIn(repository);
    const running = slow.runner.run('RTEST0001');
    for (let sweep = 0; sweep < 5; sweep += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      await other.runner.sweep();
    }
    await running;
    expect(effects).toEqual(['one', 'two', 'three']);
    expect((await repository.get('RTEST0001'))?.lease).toBeUndefined();
    expect(starts(repository)).toBe(1);
  });

  it('counts a write whose answer was lost as written, and still tells everyone once', async () => {
    const effects: string[] = [];
    const { runner, repository, notifier } = memoryRunner({ executors: countingKind(effects) });
    await approvedIn(repository);
    repository.loseAnswers = 10;
    await runner.run('RTEST0001');
    expect((await repository.get('RTEST0001'))?.status).toBe('succeeded');
    expect(effects).toEqual(['one', 'two', 'three']);
    expect(notifier.of('RTEST0001').map(([type]) => type)).toEqual(['card', 'result', 'outcome']);
  });

  it('delivers, after a restart, what a process that died right after its final write never said', async () => {
    const world = shared();
    const { repository, notifier, clock } = world;
    const dying = memoryRunner({
      repository,
      notifier,
      clock: clock.now,
      executors: countingKind([]),
    });
    await approvedIn(repository);
    notifier.dead = true;
    await dying.runner.run('RTEST0001');
    const stranded = await repository.get('RTEST0001');
    expect(stranded?.status).toBe('succeeded');
    expect(stranded?.outbox?.map((notice) => notice.type)).toEqual(['card', 'result', 'outcome']);
    expect(await repository.unsent()).toHaveLength(1);

    notifier.dead = false;
    const restarted = secondRunner(world);
    // Not while the notices are fresh: a live runner could still be sending them.
    await restarted.sweep();
    expect(notifier.of('RTEST0001')).toEqual([]);
    // Its one failed try makes the sweep wait twice a lease.
    clock.advance(POLICY.leaseMs);
    await restarted.sweep();
    expect(notifier.of('RTEST0001')).toEqual([]);
    clock.advance(POLICY.leaseMs);
    await restarted.sweep();
    await restarted.sweep();
    expect(notifier.of('RTEST0001').map(([type]) => type)).toEqual(['card', 'result', 'outcome']);
    expect(await repository.unsent()).toEqual([]);
  });

  it('does not send again a notice that went out before its process died', async () => {
    const world = shared();
    const { repository, notifier, clock } = world;
    const { runner } = memoryRunner({
      repository,
      notifier,
      clock: clock.now,
      executors: countingKind([]),
    });
    await approvedIn(repository);
    // The notices go out; the process dies at the write that would record that.
    const replace = repository.replace.bind(repository);
    let dying = true;
    repository.replace = async (next, events) => {
      const current = await repository.get(next.id);
      if (dying && (current?.outbox?.length ?? 0) > (next.outbox?.length ?? 0)) {
        throw new Error('killed');
      }
      return replace(next, events);
    };
    await expect(runner.run('RTEST0001')).rejects.toThrow('killed');
    dying = false;
    clock.advance(POLICY.leaseMs);
    await secondRunner(world).sweep();
    expect(notifier.of('RTEST0001').filter(([type]) => type !== 'card')).toEqual([
      ['result', 'ran 3 steps'],
      ['outcome', 'ran 3 steps'],
    ]);
    expect((await repository.get('RTEST0001'))?.outbox).toBeUndefined();
  });

  it('draws the card again when the request changed while it was being drawn', async () => {
    const repository = new MemoryRequests();
    const notifier = new MemoryNotifier();
    const { runner } = memoryRunner({ repository, notifier, executors: countingKind([]) });
    const waiting = transition(
      pendingOnboarding({ requiredApprovals: 2 }),
      { type: 'approve', clicker: ADA, roles: { holder: [] } },
      new Date('2026-12-01T10:04:00.000Z'),
      { ...POLICY, requiredApprovals: () => 2 },
    );
    if (!waiting.ok) throw new Error('refused');
    await repository.create({ ...waiting.request, version: 3 });
    // While the card is drawn as "1 of 2", the requester cancels: that write adds no card notice
    // of its own, since one is waiting.
    const deliver = notifier.deliver.bind(notifier);
    let cancelled = false;
    notifier.deliver = async (request, notice, recovering) => {
      await deliver(request, notice, recovering);
      if (cancelled) return;
      cancelled = true;
      // As the requester's click does: record, then deliver what the write added.
      await runner.told(await runner.update(request.id, { type: 'cancel', clicker: MAX }));
    };
    const stored = await repository.get('RTEST0001');
    if (!stored?.outbox) throw new Error('no notices');
    await runner.deliver(stored, stored.outbox, false);
    const cards = notifier.delivered.map((entry) => [entry.type, entry.status]);
    expect(cards[0]).toEqual(['card', 'pending']);
    expect(cards.at(-1)).toEqual(['card', 'cancelled']);
    expect(cards.every(([type]) => type === 'card')).toBe(true);
    expect((await repository.get('RTEST0001'))?.outbox).toBeUndefined();
  });

  it('fails a request whose step cannot even be reconciled, instead of resuming it for ever', async () => {
    const { runner, repository, notifier } = memoryRunner({
      executors: countingKind([], {
        one: {
          reconcile: () => Promise.reject(new DomainError('user-gone', 'DynamoDB is unreachable')),
        },
      }),
      clock: () => new Date('2026-12-01T10:20:00.000Z'),
    });
    const approved = await approvedIn(repository);
    await strand(repository, approved, [
      { name: 'one', status: 'started', at: approved.createdAt },
    ]);
    await runner.sweep();
    const failed = await repository.get(approved.id);
    expect(failed?.status).toBe('failed');
    expect(failed?.failure).toContain('DynamoDB is unreachable');
    expect(notifier.of(approved.id).map(([type]) => type)).toEqual(['card', 'result', 'outcome']);
  });

  it('fails a request started too many times without finishing, and tells everyone', async () => {
    const { runner, repository, notifier } = memoryRunner({ executors: countingKind([]) });
    const approved = await approvedIn(repository);
    await repository.replace({ ...approved, attempt: MAX_RUNS, version: approved.version + 1 });
    await runner.run(approved.id);
    const failed = await repository.get(approved.id);
    expect(failed?.status).toBe('failed');
    expect(failed?.failure).toContain(`started ${MAX_RUNS} times`);
    expect(notifier.of(approved.id).map(([type]) => type)).toEqual(['card', 'result', 'outcome']);
  });

  it('a fence renews a lapsed lease nobody took yet, so another runner cannot take it then', async () => {
    const world = shared();
    const { repository, notifier, clock } = world;
    const effects: string[] = [];
    const fenced = latch();
    const resume = latch();
    const slow = memoryRunner({
      repository,
      notifier,
      clock: clock.now,
      executors: countingKind(effects, {
        one: {
          run: async (context) => {
            clock.advance(5 * 60_000);
            await context.fence();
            fenced.open();
            await resume.wait;
            effects.push('one');
            return 'one';
          },
        },
      }),
    });
    await approvedIn(repository);
    const running = slow.runner.run('RTEST0001');
    await fenced.wait;
    expect(await secondRunner(world, countingKind(effects)).sweep()).toBe(0);
    resume.open();
    await running;
    expect(effects).toEqual(['one', 'two', 'three']);
    expect(starts(repository)).toBe(1);
  });

  describe('reads what it needs once', () => {
    // The memory runner's clock.
    const NOW = Date.parse('2026-12-01T10:05:00.000Z');

    /** Who is asked for roles, in order. */
    function countedRoles(held: Record<string, string[]>) {
      const asked: string[] = [];
      return {
        asked,
        roles: {
          rolesOf: async (vamsUserId: string) => {
            asked.push(vamsUserId);
            return held[vamsUserId] ?? [];
          },
        },
      };
    }

    it('a run started by the approving click counts the roles that click read, and reads them no more', async () => {
      const effects: string[] = [];
      const { asked, roles } = countedRoles({ 'ada@example.com': ['admin'] });
      const { runner, repository } = memoryRunner({ roles, executors: countingKind(effects) });
      const approved = await approvedIn(repository);
      await runner.run('RTEST0001', approved, { at: NOW, roles: { 'ada@example.com': ['admin'] } });
      expect((await repository.get('RTEST0001'))?.status).toBe('succeeded');
      expect(asked).toEqual([]);
    });

    it('roles the click read longer ago than a moment (its run waited) are read again', async () => {
      const effects: string[] = [];
      // Ada was an admin when she clicked; by the time the run got its turn she is not.
      const { asked, roles } = countedRoles({ 'ada@example.com': [] });
      const { runner, repository } = memoryRunner({ roles, executors: countingKind(effects) });
      const approved = await approvedIn(repository);
      await runner.run('RTEST0001', approved, {
        at: NOW - JUST_READ_MS - 1,
        roles: { 'ada@example.com': ['admin'] },
      });
      expect(asked).toEqual(['ada@example.com']);
      expect(effects).toEqual([]);
      expect((await repository.get('RTEST0001'))?.status).not.toBe('succeeded');
    });

    it('roles read for the request as it was count for nothing once it was written since', async () => {
      const effects: string[] = [];
      // Ada was an admin when she clicked; she is not now, and the request changed meanwhile.
      const { asked, roles } = countedRoles({ 'ada@example.com': [] });
      const { runner, repository } = memoryRunner({ roles, executors: countingKind(effects) });
      const approved = await approvedIn(repository);
      await repository.replace({ ...approved, version: approved.version + 1 });
      await runner.run('RTEST0001', approved, { at: NOW, roles: { 'ada@example.com': ['admin'] } });
      expect(asked).toEqual(['ada@example.com']);
      expect(effects).toEqual([]);
      expect((await repository.get('RTEST0001'))?.status).not.toBe('succeeded');
    });

    it('renews its lease on the request as it last wrote it, without reading it first', async () => {
      const world = shared();
      const { repository, notifier, clock } = world;
      const effects: string[] = [];
      const { runner } = memoryRunner({
        repository,
        notifier,
        clock: clock.now,
        executors: countingKind(effects, {
          two: {
            run: async (context) => {
              await context.fence();
              effects.push('two');
              return 'two';
            },
          },
        }),
      });
      const approved = await approvedIn(repository);
      const reads: string[] = [];
      const get = repository.get.bind(repository);
      repository.get = async (id) => {
        reads.push(id);
        return get(id);
      };
      await runner.run('RTEST0001', approved);
      expect(effects).toEqual(['one', 'two', 'three']);
      expect((await get('RTEST0001'))?.status).toBe('succeeded');
      expect(reads).toEqual([]);
    });
  });

  describe('a bounded number of runs at once', () => {
    /** A runner of one run at a time; RTEST0001's first step waits until the test lets it go. */
    function oneAtATime() {
      const hold = latch();
      const entered = latch();
      const { runner, repository } = memoryRunner({
        runsAtOnce: 1,
        executors: countingKind([], {
          one: {
            run: async (context) => {
              if (context.request.id === 'RTEST0001') {
                entered.open();
                await hold.wait;
              }
              return 'one';
            },
          },
        }),
      });
      return { hold, entered, runner, repository };
    }

    it('a run still waiting for its turn when the process stops leaves its request approved', async () => {
      const { hold, entered, runner, repository } = oneAtATime();
      await approvedIn(repository, 'RTEST0001');
      await approvedIn(repository, 'RTEST0002');
      const first = runner.run('RTEST0001');
      await entered.wait;
      const second = runner.run('RTEST0002');
      runner.close();
      hold.open();
      await Promise.all([first, second]);
      expect((await repository.get('RTEST0001'))?.status).toBe('succeeded');
      expect((await repository.get('RTEST0002'))?.status).toBe('approved');
      expect(repository.eventTypes('RTEST0002')).not.toContain('execution-started');
    });

    it('an urgent run (break-glass) does not wait for a turn', async () => {
      const { hold, entered, runner, repository } = oneAtATime();
      await approvedIn(repository, 'RTEST0001');
      await approvedIn(repository, 'RTEST0002');
      const first = runner.run('RTEST0001');
      await entered.wait;
      await runner.run('RTEST0002', undefined, undefined, true);
      expect((await repository.get('RTEST0002'))?.status).toBe('succeeded');
      expect((await repository.get('RTEST0001'))?.status).toBe('executing');
      hold.open();
      await first;
    });

    it('the sweep neither waits for a slot nor takes the runner’s own runs for interrupted ones', async () => {
      const { hold, entered, runner, repository } = oneAtATime();
      await approvedIn(repository, 'RTEST0001');
      await approvedIn(repository, 'RTEST0002');
      const first = runner.run('RTEST0001');
      await entered.wait;
      // Every slot is taken: the sweep returns at once, having resumed nothing.
      expect(await runner.sweep()).toBe(0);
      expect((await repository.get('RTEST0002'))?.status).toBe('approved');
      hold.open();
      await first;
      // With a slot free, the next sweep runs what was left; its own finished run is not counted.
      expect(await runner.sweep()).toBe(1);
      expect((await repository.get('RTEST0002'))?.status).toBe('succeeded');
    });
  });
});
