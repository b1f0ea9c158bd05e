import type { AccessRequest } from '../../src/domain/request';
import {
  cardState,
  type LifecycleEvent,
  MAX_REMINDERS,
  NOTICE_TRIES,
  nudgeDue,
  transition,
} from '../../src/workflow/lifecycle';
import { ADA, ALAN, MAX, POLICY, pendingOnboarding, person } from '../support/memory-workflow';

const NOW = new Date('2026-12-01T10:05:00.000Z');
const LATER = new Date('2026-12-03T10:05:00.000Z');
const NO_ROLES = { holder: [] };

function apply(request: AccessRequest, event: LifecycleEvent, now = NOW) {
  return transition(request, event, now, POLICY);
}

function next(request: AccessRequest, event: LifecycleEvent, now = NOW): AccessRequest {
  const result = apply(request, event, now);
  if (!result.ok) throw new Error(`refused: ${result.refusal.code}`);
  return result.request;
}

function refusal(request: AccessRequest, event: LifecycleEvent, now = NOW): string {
  const result = apply(request, event, now);
  if (result.ok) throw new Error(`allowed: ${result.request.status}`);
  return result.refusal.code;
}

const notices = (request: AccessRequest) =>
  (request.outbox ?? []).map((notice) => [notice.type, notice.summary]);

function executing(owner = 'runner-a'): AccessRequest {
  return next(next(pendingOnboarding(), { type: 'approve', clicker: ADA, roles: NO_ROLES }), {
    type: 'claim',
    owner,
    roles: { holder: [], approvers: { [ADA.vamsUserId]: ['admin'] } },
  });
}

describe('submit', () => {
  it('files a new request with its privilege worked out, and refuses one filed already', () => {
    const fresh = pendingOnboarding({
      version: 0,
      params: { userId: 'nia', email: 'nia@example.com', roles: ['admin'] },
    });
    const filed = apply(fresh, { type: 'submit', roles: NO_ROLES });
    expect(filed.ok && filed.request.privileged).toEqual(['admin']);
    expect(filed.ok && filed.audit.map((entry) => entry.type)).toEqual(['requested']);
    expect(refusal(pendingOnboarding(), { type: 'submit', roles: NO_ROLES })).toBe('not-new');
  });
});

describe('card-posted and abandon', () => {
  it('places the card once; a request without one can be abandoned, one with one cannot', () => {
    const bare = pendingOnboarding({ card: undefined });
    expect(next(bare, { type: 'card-posted', card: { channel: 'C1', ts: '1.2' } }).card).toEqual({
      channel: 'C1',
      ts: '1.2',
    });
    expect(
      refusal(pendingOnboarding(), { type: 'card-posted', card: { channel: 'C1', ts: '1.2' } }),
    ).toBe('card-already-posted');
    const abandoned = next(bare, { type: 'abandon', failure: 'no card' });
    expect([abandoned.status, abandoned.failure]).toEqual(['failed', 'no card']);
    expect(refusal(pendingOnboarding(), { type: 'abandon', failure: 'no card' })).toBe(
      'card-already-posted',
    );
  });
});

describe('approve', () => {
  it('reaches the quorum with the approval that completes it, and tells the card', () => {
    const two = pendingOnboarding({ requiredApprovals: 2 });
    const policy = { ...POLICY, requiredApprovals: () => 2 };
    const first = transition(two, { type: 'approve', clicker: ADA, roles: NO_ROLES }, NOW, policy);
    if (!first.ok) throw new Error('refused');
    expect(first.request.status).toBe('pending');
    expect(notices(first.request)).toEqual([['card', undefined]]);
    const second = transition(
      first.request,
      { type: 'approve', clicker: ALAN, roles: NO_ROLES },
      NOW,
      policy,
    );
    if (!second.ok) throw new Error('refused');
    expect(second.request.status).toBe('approved');
    expect(second.request.approvals.map((approval) => approval.vamsUserId)).toEqual([
      ADA.vamsUserId,
      ALAN.vamsUserId,
    ]);
    // One card notice covers every change since the card was last shown.
    expect(notices(second.request)).toEqual([['card', undefined]]);
    expect(second.audit[0]).toMatchObject({ type: 'approved', detail: { tally: '2/2' } });
  });

  it.each([
    [
      'an unmapped clicker',
      {
        mapped: false as const,
        slackUserId: 'U0X',
        reason: 'no-match' as const,
        email: undefined,
      },
      pendingOnboarding(),
      'not-mapped',
    ],
    [
      'the requester',
      person(MAX.slackUserId, MAX.vamsUserId, ['admin']),
      pendingOnboarding(),
      'own-request',
    ],
    [
      'a second click',
      ADA,
      pendingOnboarding({
        requiredApprovals: 2,
        approvals: [
          {
            slackUserId: ADA.slackUserId,
            vamsUserId: ADA.vamsUserId,
            roles: ['admin'],
            at: NOW.toISOString(),
          },
        ],
      }),
      'already-approved',
    ],
    ['a request without its card', ADA, pendingOnboarding({ card: undefined }), 'not-posted-yet'],
    ['a request that ended', ADA, pendingOnboarding({ status: 'rejected' }), 'not-pending'],
    [
      'someone without an approver role',
      person('U0V', 'vic@example.com', ['viewer']),
      pendingOnboarding(),
      'not-an-approver',
    ],
  ])('refuses %s', (_case, clicker, request, code) => {
    expect(refusal(request, { type: 'approve', clicker, roles: NO_ROLES })).toBe(code);
  });

  it('refuses once the request expired, even before the sweep', () => {
    expect(
      refusal(pendingOnboarding(), { type: 'approve', clicker: ADA, roles: NO_ROLES }, LATER),
    ).toBe('expired');
  });

  it('counts a key request as privileged when its owner holds an admin role now', () => {
    const key = pendingOnboarding({
      kind: 'key.create',
      params: {
        apiKeyId: 'k1',
        ownerUserId: 'ada@example.com',
        name: 'ci',
        description: '',
        expiresAt: '2027-01-01T00:00:00Z',
        deliverTo: 'U0ADA',
      },
      subject: 'ada@example.com',
    } as Partial<AccessRequest>);
    const managerClick = apply(key, {
      type: 'approve',
      clicker: MAX,
      roles: { holder: ['admin'] },
    });
    expect(managerClick.ok).toBe(false);
    expect(!managerClick.ok && managerClick.request.privileged).toEqual(['admin']);
  });
});

describe('reject and cancel', () => {
  it('rejecting ends the request and tells the card and the requester, with the comment', () => {
    const result = apply(pendingOnboarding(), { type: 'reject', clicker: ADA, comment: 'not yet' });
    if (!result.ok) throw new Error('refused');
    expect(result.request.status).toBe('rejected');
    expect(result.request.decision?.comment).toBe('not yet');
    expect(notices(result.request)).toEqual([
      ['card', undefined],
      ['outcome', `rejected by ${ADA.vamsUserId}, who wrote: “not yet”`],
    ]);
    expect(result.audit).toEqual([
      { type: 'rejected', actor: ADA.vamsUserId, detail: { comment: 'not yet' } },
    ]);
  });

  it('a requester who cancels is not told what they did; someone else may not cancel', () => {
    const cancelled = next(pendingOnboarding(), { type: 'cancel', clicker: MAX });
    expect(cancelled.status).toBe('cancelled');
    expect(notices(cancelled)).toEqual([['card', undefined]]);
    expect(refusal(pendingOnboarding(), { type: 'cancel', clicker: ADA })).toBe(
      'not-the-requester',
    );
    expect(refusal(cancelled, { type: 'cancel', clicker: MAX })).toBe('not-pending');
  });
});

describe('expire', () => {
  it('expires a pending request only once it is due', () => {
    expect(refusal(pendingOnboarding(), { type: 'expire' })).toBe('not-due');
    const expired = next(pendingOnboarding(), { type: 'expire' }, LATER);
    expect(expired.status).toBe('expired');
    expect(notices(expired)).toEqual([
      ['card', undefined],
      ['outcome', 'expired: nobody decided in time'],
    ]);
    expect(refusal(expired, { type: 'expire' }, LATER)).toBe('not-pending');
  });
});

describe('claim, lease and steps', () => {
  it('claims an approved request under a lease and counts the attempt', () => {
    const claimed = executing();
    expect(claimed.status).toBe('executing');
    expect(claimed.lease).toEqual({ owner: 'runner-a', until: '2026-12-01T10:06:00.000Z' });
    expect(claimed.attempt).toBe(1);
  });

  it('sends a request back to waiting when its approver lost the right before it first ran', () => {
    const approved = next(pendingOnboarding(), { type: 'approve', clicker: ADA, roles: NO_ROLES });
    const result = apply(approved, {
      type: 'claim',
      owner: 'runner-a',
      roles: { holder: [], approvers: { [ADA.vamsUserId]: ['viewer'] } },
    });
    if (!result.ok) throw new Error('refused');
    expect(result.request.status).toBe('pending');
    expect(result.request.approvals).toEqual([]);
    expect(result.request.droppedApprovals?.map((dropped) => dropped.code)).toEqual([
      'not-an-approver',
    ]);
    expect(result.audit.map((entry) => entry.type)).toEqual(['approval-dropped']);
  });

  it('refuses a claim while another runner holds the lease, and allows it once the lease lapsed', () => {
    const held = executing('runner-a');
    expect(refusal(held, { type: 'claim', owner: 'runner-b', roles: NO_ROLES })).toBe('lease-held');
    const taken = next(
      held,
      { type: 'claim', owner: 'runner-b', roles: NO_ROLES },
      new Date('2026-12-01T10:07:00.000Z'),
    );
    expect(taken.lease?.owner).toBe('runner-b');
    expect(taken.attempt).toBe(2);
    expect(
      refusal(pendingOnboarding(), { type: 'claim', owner: 'runner-b', roles: NO_ROLES }),
    ).toBe('not-approved');
  });

  it('lets only the lease holder renew, record steps, fail or succeed', () => {
    const held = executing('runner-a');
    const events: LifecycleEvent[] = [
      { type: 'renew', owner: 'runner-b' },
      { type: 'step-started', owner: 'runner-b', step: 'one' },
      { type: 'step-done', owner: 'runner-b', step: 'one', detail: 'done' },
      { type: 'step-failed', owner: 'runner-b', step: 'one', reason: 'x', failure: 'y' },
      { type: 'succeed', owner: 'runner-b', summary: 'ok' },
    ];
    for (const event of events) expect(refusal(held, event)).toBe('lease-lost');
    const renewed = next(
      held,
      { type: 'renew', owner: 'runner-a' },
      new Date('2026-12-01T10:05:30.000Z'),
    );
    expect(renewed.lease?.until).toBe('2026-12-01T10:06:30.000Z');
  });

  it('records a step started, then done with its output, and succeeds with three notices', () => {
    const started = next(executing(), { type: 'step-started', owner: 'runner-a', step: 'one' });
    expect(started.steps).toEqual([{ name: 'one', status: 'started', at: NOW.toISOString() }]);
    const done = next(started, {
      type: 'step-done',
      owner: 'runner-a',
      step: 'one',
      detail: 'made it',
      output: { made: 1 },
    });
    expect(done.steps).toEqual([
      {
        name: 'one',
        status: 'done',
        at: NOW.toISOString(),
        detail: 'made it',
        output: { made: 1 },
      },
    ]);
    const succeeded = next(done, { type: 'succeed', owner: 'runner-a', summary: 'all good' });
    expect(succeeded.status).toBe('succeeded');
    expect(succeeded.lease).toBeUndefined();
    expect(notices(succeeded)).toEqual([
      ['card', undefined],
      ['result', 'all good'],
      ['outcome', 'all good'],
    ]);
  });

  it('fails a request at its step, and a Retry by an approver takes it back to approved', () => {
    const failed = next(executing(), {
      type: 'step-failed',
      owner: 'runner-a',
      step: 'one',
      reason: 'no',
      failure: 'Step one failed',
    });
    expect([failed.status, failed.failure, failed.lease]).toEqual([
      'failed',
      'Step one failed',
      undefined,
    ]);
    expect(failed.steps.at(-1)).toMatchObject({ name: 'one', status: 'failed', detail: 'no' });
    expect(refusal(failed, { type: 'retry', clicker: MAX })).toBe('own-request');
    const retried = next({ ...failed, outbox: [] }, { type: 'retry', clicker: ALAN });
    expect([retried.status, retried.failure]).toEqual(['approved', undefined]);
    expect(notices(retried)).toEqual([['card', undefined]]);
    expect(refusal(pendingOnboarding(), { type: 'retry', clicker: ALAN })).toBe('not-retryable');
  });
});

describe('notices', () => {
  it('removes the notices sent, keeps the failed ones, and gives one up after a few tries', () => {
    let request = next(pendingOnboarding(), { type: 'reject', clicker: ADA });
    const [card, outcome] = request.outbox ?? [];
    if (!card || !outcome) throw new Error('no notices');
    // A card drawn from an older version must be drawn again.
    const drawnEarlier = next(request, {
      type: 'notices',
      sent: [card.id],
      failed: [],
      cardDrawn: cardState({ ...request, status: 'pending' }),
    });
    expect(drawnEarlier.outbox?.map((notice) => notice.type)).toEqual(['card', 'outcome']);
    request = next(request, {
      type: 'notices',
      sent: [card.id],
      failed: [outcome.id],
      cardDrawn: cardState(request),
    });
    expect(request.outbox?.map((notice) => [notice.type, notice.tries])).toEqual([['outcome', 1]]);
    for (let tries = 2; tries < NOTICE_TRIES; tries += 1) {
      request = next(request, { type: 'notices', sent: [], failed: [outcome.id] });
    }
    const givenUp = apply(request, { type: 'notices', sent: [], failed: [outcome.id] });
    if (!givenUp.ok) throw new Error('refused');
    expect(givenUp.request.outbox).toBeUndefined();
    expect(givenUp.audit).toEqual([{ type: 'notice-given-up', detail: { notice: 'outcome' } }]);
  });
});

describe('nudge', () => {
  const NUDGES = { ...POLICY, nudges: { remindAfterMinutes: 30, escalates: true } };
  const created = new Date('2026-12-01T10:00:00.000Z');
  const undecided = (fields: Partial<AccessRequest> = {}) =>
    pendingOnboarding({
      createdAt: created.toISOString(),
      expiresAt: new Date(created.getTime() + 24 * 3_600_000).toISOString(),
      ...fields,
    });
  const at = (minutes: number) => new Date(created.getTime() + minutes * 60_000);
  const nudge = (request: AccessRequest, minutes: number) =>
    transition(request, { type: 'nudge' }, at(minutes), NUDGES);

  it('reminds after R, 3R and 7R, then never again', () => {
    let request = undecided();
    expect(nudge(request, 29).ok).toBe(false);
    const sent: number[] = [];
    for (const minutes of [30, 31, 89, 90, 209, 210, 500, 700]) {
      const result = nudge(request, minutes);
      if (!result.ok) continue;
      request = result.request;
      sent.push(minutes);
      expect(result.audit).toEqual([{ type: 'reminded', detail: { reminder: request.reminders } }]);
    }
    expect(sent).toEqual([30, 90, 210]);
    expect(request.reminders).toBe(MAX_REMINDERS);
    expect(notices(request)).toEqual([
      ['reminder', '1'],
      ['reminder', '2'],
      ['reminder', '3'],
    ]);
  });

  it('skips reminders missed while nothing ran instead of sending them in a burst', () => {
    const result = nudge(undecided(), 220);
    expect(result.ok && [result.request.reminders, notices(result.request)]).toEqual([
      3,
      [['reminder', '3']],
    ]);
    expect(result.ok && nudge(result.request, 230).ok).toBe(false);
  });

  it('escalates once past half the time to decide, when an escalation channel is set', () => {
    const reminded = { ...undecided(), reminders: 3 };
    expect(nudge(reminded, 719).ok).toBe(false);
    const escalated = nudge(reminded, 720);
    if (!escalated.ok) throw new Error('refused');
    expect([escalated.request.escalated, notices(escalated.request)]).toEqual([
      true,
      [['escalation', undefined]],
    ]);
    expect(nudge(escalated.request, 800).ok).toBe(false);
    const quiet = transition(reminded, { type: 'nudge' }, at(720), {
      ...POLICY,
      nudges: { remindAfterMinutes: 30, escalates: false },
    });
    expect(quiet.ok).toBe(false);
  });

  it('nudges nobody about a decided, uncarded or expired request, or without a policy', () => {
    const approved = next(undecided(), { type: 'approve', clicker: ADA, roles: NO_ROLES });
    expect(nudgeDue(approved, at(60), NUDGES)).toBeUndefined();
    const rejected = next(undecided(), { type: 'reject', clicker: ADA });
    expect(nudgeDue(rejected, at(60), NUDGES)).toBeUndefined();
    expect(nudgeDue(undecided({ card: undefined }), at(60), NUDGES)).toBeUndefined();
    expect(nudgeDue(undecided(), at(24 * 60), NUDGES)).toBeUndefined();
    expect(nudgeDue(undecided(), at(60), POLICY)).toBeUndefined();
    expect(nudgeDue(undecided(), at(60), NUDGES)).toEqual({ type: 'reminder', count: 1 });
  });
});

describe('break-glass', () => {
  const NUDGES = { ...POLICY, nudges: { remindAfterMinutes: 30, escalates: true } };
  const OLLY = person('U0OLLY', 'olly', ['oncall']);
  const created = new Date('2026-12-01T10:00:00.000Z');
  const at = (minutes: number) => new Date(created.getTime() + minutes * 60_000);
  const filed = () =>
    pendingOnboarding({
      kind: 'breakglass',
      params: { userId: 'olly', roles: ['admin'], minutes: 60 },
      requester: { slackUserId: OLLY.slackUserId, vamsUserId: OLLY.vamsUserId },
      subject: 'olly',
      requiredApprovals: 0,
      card: undefined,
      createdAt: created.toISOString(),
    } as Partial<AccessRequest>);
  const BREAKGLASS = { ...NUDGES, requiredApprovals: () => 0 };
  const posted = () =>
    next(filed(), { type: 'card-posted', card: { channel: 'C1', ts: '1.2' } }, at(0));
  const succeeded = (): AccessRequest => ({ ...posted(), status: 'succeeded' });

  it('runs once its card is up, with no approval even for an admin role', () => {
    const submitted = transition(
      { ...filed(), version: 0 },
      { type: 'submit', roles: NO_ROLES },
      at(0),
      BREAKGLASS,
    );
    expect(submitted.ok && [submitted.request.status, submitted.request.requiredApprovals]).toEqual(
      ['pending', 0],
    );
    expect(submitted.ok && submitted.request.privileged).toBeUndefined();
    const result = transition(
      filed(),
      { type: 'card-posted', card: { channel: 'C1', ts: '1.2' } },
      at(0),
      BREAKGLASS,
    );
    expect(result.ok && result.request.status).toBe('approved');
    expect(result.ok && result.audit.map((entry) => entry.type)).toEqual([
      'granted-without-approval',
    ]);
    // Nobody approves it: an Approve click is refused.
    expect(refusal(posted(), { type: 'approve', clicker: ADA, roles: NO_ROLES })).toBe(
      'not-pending',
    );
    const claimed = transition(
      posted(),
      { type: 'claim', owner: 'a', roles: NO_ROLES },
      at(0),
      BREAKGLASS,
    );
    expect(claimed.ok && claimed.request.status).toBe('executing');
  });

  it('is reviewed once, by an admin other than the grantee, after the grant is given', () => {
    const review = (
      request: AccessRequest,
      clicker = ALAN,
      outcome: 'reviewed' | 'revoked' = 'reviewed',
    ) => transition(request, { type: 'review', clicker, outcome }, at(10), BREAKGLASS);
    const refusalOf = (result: ReturnType<typeof review>) =>
      result.ok ? 'allowed' : result.refusal.code;
    expect(refusalOf(review(posted()))).toBe('not-pending');
    expect(refusalOf(review(succeeded(), OLLY))).toBe('not-an-approver');
    const selfAdmin = {
      ...succeeded(),
      requester: { slackUserId: ADA.slackUserId, vamsUserId: ADA.vamsUserId },
    };
    expect(refusalOf(review(selfAdmin, ADA))).toBe('own-request');
    expect(
      refusalOf(
        transition(selfAdmin, { type: 'review', clicker: ADA, outcome: 'reviewed' }, at(10), {
          ...BREAKGLASS,
          allowSelfApproval: true,
        }),
      ),
    ).toBe('own-request');
    const revoked = review(succeeded(), ALAN, 'revoked');
    if (!revoked.ok) throw new Error('refused');
    expect(revoked.request.review).toMatchObject({
      outcome: 'revoked',
      by: { vamsUserId: ALAN.vamsUserId },
    });
    expect(notices(revoked.request).map(([type]) => type)).toEqual(['card', 'thread', 'dm']);
    expect(refusalOf(review(revoked.request))).toBe('not-pending');
    expect(cardState(revoked.request)).not.toBe(cardState(succeeded()));
  });

  it('gives a failed break-glass no Retry once it was reviewed, and reminds of none still running', () => {
    const failed: AccessRequest = { ...posted(), status: 'failed', failure: 'boom' };
    const retried = transition(failed, { type: 'retry', clicker: ALAN }, at(10), BREAKGLASS);
    expect(retried.ok).toBe(true);
    const revoked = transition(
      failed,
      { type: 'review', clicker: ALAN, outcome: 'revoked' },
      at(10),
      BREAKGLASS,
    );
    if (!revoked.ok) throw new Error('refused');
    const again = transition(revoked.request, { type: 'retry', clicker: ALAN }, at(11), BREAKGLASS);
    expect(again.ok ? 'allowed' : again.refusal.code).toBe('not-retryable');
    expect(nudgeDue({ ...posted(), status: 'executing' }, at(60), BREAKGLASS)).toBeUndefined();
  });

  it('reminds of an unreviewed grant past three reminders, raises it at 12 hours, and stops once reviewed', () => {
    let request = succeeded();
    const sent: number[] = [];
    for (const minutes of [29, 30, 90, 210, 450, 700]) {
      const result = transition(request, { type: 'nudge' }, at(minutes), BREAKGLASS);
      if (!result.ok) continue;
      request = result.request;
      sent.push(minutes);
    }
    expect(sent).toEqual([30, 90, 210, 450]);
    expect(request.reminders).toBeGreaterThan(MAX_REMINDERS);
    expect(nudgeDue(request, at(12 * 60), BREAKGLASS)).toEqual({ type: 'escalation' });
    const reviewed: AccessRequest = {
      ...request,
      review: {
        by: { slackUserId: ALAN.slackUserId, vamsUserId: ALAN.vamsUserId },
        at: at(1).toISOString(),
        outcome: 'reviewed',
      },
    };
    expect(nudgeDue(reviewed, at(12 * 60), BREAKGLASS)).toBeUndefined();
  });
});
