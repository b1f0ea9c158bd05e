import { AdminDeleteUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import { decideOn, mayApproveKind } from '../../src/auth/approval-policy';
import type { Identity } from '../../src/auth/identity';
import { standingOf } from '../../src/auth/roles';
import type { AccessRequest } from '../../src/domain/request';
import {
  addPeople,
  answerTo,
  buttonLabels,
  cardMessage,
  clickCard,
  cognitoUser,
  type FiledRequest,
  fileOnboarding,
  finished,
  requestStore,
  roleRows,
  storedRequest,
  textIn,
} from '../support/onboarding-flow';
import { startTestBot, type TestBot } from '../support/test-bot';

// Every refusal to approve is an ephemeral answer to the clicker, an
// audit event, and no change at all.

async function seedPeople(bot: TestBot): Promise<void> {
  await bot.deployment.addRole('manager');
  await bot.deployment.addRole('viewer');
  await addPeople(bot, [
    ['U0ADA', 'ada@example.com', ['admin']],
    ['U0BEA', 'bea@example.com', ['admin']],
    ['U0MAX', 'max@example.com', ['manager']],
    ['U0VIC', 'vic@example.com', ['viewer']],
  ]);
}

/** Clicks and checks everything a refusal must be; returns what the clicker read. */
async function expectRefused(
  bot: TestBot,
  filed: FiledRequest,
  clicker: string,
  label: 'Approve' | 'Reject',
  code: string,
): Promise<string> {
  const before = await storedRequest(bot, filed.id);
  const rowsBefore = await roleRows(bot.deployment, filed.userId);
  const cardUpdates = () =>
    bot.slack.callsTo('chat.update').filter((call) => call.args.ts === filed.card.ts).length;
  const updatesBefore = cardUpdates();
  const viewsBefore = bot.slack.callsTo('views.open').length;

  const click = await clickCard(bot, clicker, filed, label);
  expect(click.status).toBe(200);
  const answer = await answerTo(bot.slack, click);

  expect(answer.args.response_type).toBe('ephemeral');
  expect(answer.args.replace_original).toBe(false);
  const after = await storedRequest(bot, filed.id);
  expect(after.status).toBe('pending');
  expect(after.status).toBe(before.status);
  expect(after.approvals).toEqual(before.approvals);
  expect(after.version).toBe(before.version);
  expect(await cognitoUser(bot.deployment, filed.userId)).toBeUndefined();
  expect(await roleRows(bot.deployment, filed.userId)).toEqual(rowsBefore);
  const refusals = (await requestStore(bot).events(filed.id)).filter(
    (event) => event.type === 'click-refused',
  );
  expect(refusals.at(-1)?.detail).toEqual({
    action: label.toLowerCase(),
    slackUserId: clicker,
    reason: code,
  });
  expect(cardUpdates()).toBe(updatesBefore);
  expect(bot.slack.callsTo('views.open')).toHaveLength(viewsBefore);
  expect(buttonLabels(cardMessage(bot.slack, filed).blocks)).toEqual([
    'Approve',
    'Reject',
    'Cancel request',
  ]);
  return String(answer.args.text);
}

describe('who may approve', () => {
  let bot: TestBot;
  let serial = 0;
  const onboard = (requester: string, userId?: string) => {
    serial += 1;
    const id = userId ?? `refused-${serial}`;
    return fileOnboarding(bot, requester, {
      userId: id,
      email: id.includes('@') ? id : `${id}@example.com`,
    });
  };

  beforeAll(async () => {
    bot = await startTestBot({ env: { MANAGER_ROLES: 'manager' } });
    await seedPeople(bot);
    // Not a VAMS user at all.
    bot.slack.addUser({ id: 'U0NOB', email: 'nobody@example.com', emailConfirmed: true });
    // A guest account whose email is a VAMS admin's.
    await bot.deployment.addVamsUser('gus@example.com', ['admin']);
    bot.slack.addUser({
      id: 'U0GUS',
      email: 'gus@example.com',
      emailConfirmed: true,
      isRestricted: true,
    });
    // Deleted from the pool in VAMS, which leaves role rows behind; now being onboarded again.
    await bot.deployment.addVamsUser('old@example.com', ['admin']);
    await bot.deployment.clients.cognito.send(
      new AdminDeleteUserCommand({
        UserPoolId: bot.deployment.userPoolId,
        Username: 'old@example.com',
      }),
    );
    bot.slack.addUser({ id: 'U0OLD', email: 'old@example.com', emailConfirmed: true });
  });
  afterAll(() => bot.stop());

  it('refuses a Slack user who maps to no VAMS user, and says why', async () => {
    const filed = await onboard('U0MAX');
    const said = await expectRefused(bot, filed, 'U0NOB', 'Approve', 'not-mapped');
    expect(said).toContain('Your Slack email `nobody@example.com` is neither a VAMS user ID');
  });

  it('refuses a guest account, even one whose email is a VAMS admin', async () => {
    const filed = await onboard('U0MAX');
    const said = await expectRefused(bot, filed, 'U0GUS', 'Approve', 'not-mapped');
    expect(said).toContain('Guest accounts cannot use vams-chatops');
  });

  it('refuses a VAMS user who holds no approver role', async () => {
    const filed = await onboard('U0MAX');
    const said = await expectRefused(bot, filed, 'U0VIC', 'Approve', 'not-an-approver');
    expect(said).toContain('Only VAMS admins and managers can decide onboarding requests');
  });

  it('refuses the same people when they reject, and opens no dialog', async () => {
    const filed = await onboard('U0MAX');
    await expectRefused(bot, filed, 'U0VIC', 'Reject', 'not-an-approver');
    await expectRefused(bot, filed, 'U0NOB', 'Reject', 'not-mapped');
    await expectRefused(bot, filed, 'U0GUS', 'Reject', 'not-mapped');
  });

  it('refuses the requester, even an admin', async () => {
    const filed = await onboard('U0ADA');
    const said = await expectRefused(bot, filed, 'U0ADA', 'Approve', 'own-request');
    expect(said).toContain('You asked for this request, so someone else has to decide it');
  });

  it('refuses the person being onboarded when they already map to VAMS', async () => {
    const filed = await onboard('U0MAX', 'old@example.com');
    const said = await expectRefused(bot, filed, 'U0OLD', 'Approve', 'about-you');
    expect(said).toContain('This request is about you');
  });

  it('lets a manager approve onboarding', async () => {
    const filed = await onboard('U0ADA');
    await clickCard(bot, 'U0MAX', filed, 'Approve');
    const done = await finished(bot, filed);
    expect(done.status).toBe('succeeded');
    expect(done.approvals.map((approval) => [approval.vamsUserId, approval.roles])).toEqual([
      ['max@example.com', ['manager']],
    ]);
    expect((await roleRows(bot.deployment, filed.userId)).map((row) => row.roleName)).toEqual([
      'viewer',
    ]);
  });
});

describe('ALLOW_SELF_APPROVAL=true', () => {
  let bot: TestBot;
  beforeAll(async () => {
    bot = await startTestBot({ env: { ALLOW_SELF_APPROVAL: 'true' } });
    await seedPeople(bot);
  });
  afterAll(() => bot.stop());

  it('lets an admin approve their own request', async () => {
    const filed = await fileOnboarding(bot, 'U0ADA', { userId: 'self-approved' });
    await clickCard(bot, 'U0ADA', filed, 'Approve');
    const done = await finished(bot, filed);
    expect(done.status).toBe('succeeded');
    expect(done.approvals.map((approval) => approval.slackUserId)).toEqual(['U0ADA']);
    expect(await cognitoUser(bot.deployment, 'self-approved')).toBeDefined();
  });
});

describe('a quorum of two approvers', () => {
  let bot: TestBot;
  let filed: FiledRequest;

  beforeAll(async () => {
    bot = await startTestBot({ tuning: { requiredApprovals: { 'user.create': 2 } } });
    await seedPeople(bot);
    filed = await fileOnboarding(bot, 'U0VIC', { userId: 'two-keys' });
  });
  afterAll(() => bot.stop());

  it('shows the tally on the new card', () => {
    expect(textIn(cardMessage(bot.slack, filed).blocks)).toContain('0 of 2 approvals');
  });

  it('keeps the request pending after one approval and says "1 of 2 approvals"', async () => {
    const click = await clickCard(bot, 'U0ADA', filed, 'Approve');
    const answer = await answerTo(bot.slack, click);
    expect(answer.args.response_type).toBe('ephemeral');
    expect(String(answer.args.text)).toContain('1 of 2');
    const request = await storedRequest(bot, filed.id);
    expect(request.status).toBe('pending');
    expect(request.approvals.map((approval) => approval.slackUserId)).toEqual(['U0ADA']);
    expect(textIn(cardMessage(bot.slack, filed).blocks)).toContain('1 of 2 approvals (<@U0ADA>)');
    expect(buttonLabels(cardMessage(bot.slack, filed).blocks)).toContain('Approve');
    expect(await cognitoUser(bot.deployment, 'two-keys')).toBeUndefined();
  });

  it('refuses the same approver twice', async () => {
    const said = await expectRefused(bot, filed, 'U0ADA', 'Approve', 'already-approved');
    expect(said).toContain(`You already approved ${filed.id}`);
  });

  it('runs once a second, distinct approver agrees', async () => {
    await clickCard(bot, 'U0BEA', filed, 'Approve');
    const done: AccessRequest = await finished(bot, filed);
    expect(done.status).toBe('succeeded');
    expect(done.approvals.map((approval) => approval.slackUserId)).toEqual(['U0ADA', 'U0BEA']);
    expect((await roleRows(bot.deployment, 'two-keys')).map((row) => row.roleName)).toEqual([
      'viewer',
    ]);
    const approved = (await requestStore(bot).events(filed.id)).filter(
      (event) => event.type === 'approved',
    );
    expect(approved.map((event) => event.detail?.tally)).toEqual(['1/2', '2/2']);
  });
});

describe('the approval policy for managers', () => {
  const policy = {
    adminRoles: ['admin'],
    managerRoles: ['manager'],
    allowSelfApproval: false,
    privilegedApprovals: 1,
    managerGrantableRoles: [],
  };
  const now = new Date('2026-05-01T12:00:00Z');
  const request: AccessRequest = {
    id: 'RPOLICY01',
    kind: 'user.create',
    params: { userId: 'someone', email: 'someone@example.com', roles: ['viewer'] },
    reason: 'policy',
    requester: { slackUserId: 'U0ADA', vamsUserId: 'ada@example.com' },
    subject: 'someone',
    status: 'pending',
    approvals: [],
    requiredApprovals: 1,
    preflight: [],
    createdAt: '2026-05-01T11:00:00.000Z',
    expiresAt: '2026-05-02T11:00:00.000Z',
    steps: [],
    card: { channel: 'C0APPROVALS', ts: '1700000000.000100' },
    version: 2,
  };
  const person = (roles: string[]): Identity => ({
    mapped: true,
    slackUserId: 'U0MAX',
    vamsUserId: 'max@example.com',
    source: 'email-is-user-id',
    email: 'max@example.com',
    roles,
  });

  it('lets a manager decide onboarding', () => {
    expect(decideOn(request, person(['manager']), policy, now)).toEqual({
      allowed: true,
      vamsUserId: 'max@example.com',
    });
  });

  it('refuses everyone while the card is not yet posted', () => {
    const { card: _notYet, ...uncarded } = request;
    expect(decideOn(uncarded, person(['admin']), policy, now)).toEqual({
      allowed: false,
      refusal: { code: 'not-posted-yet' },
    });
  });

  it('does not count a manager as an admin', () => {
    expect(standingOf(['manager'], policy)).toEqual({ isAdmin: false, isManager: true });
  });

  it('makes no one a manager when MANAGER_ROLES is empty', () => {
    const noManagers = { ...policy, managerRoles: [] };
    expect(mayApproveKind(['manager'], 'user.create', noManagers)).toBe(false);
    expect(decideOn(request, person(['manager']), noManagers, now)).toEqual({
      allowed: false,
      refusal: { code: 'not-an-approver' },
    });
  });
});
