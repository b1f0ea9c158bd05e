import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { eventually } from '../support/eventually';
import {
  addPeople,
  answerTo,
  cardMessage,
  clickCard,
  cognitoUser,
  type FiledRequest,
  fileOnboarding,
  fileThroughDialog,
  finished,
  onboardingFields,
  openOnboardingModal,
  requestStore,
  roleRows,
  storedRequest,
  textIn,
} from '../support/onboarding-flow';
import { startTestBot, type TestBot } from '../support/test-bot';

// Privileged requests: an approval never gives more than its approvers
// may grant, checked with live roles at click time and again right before the request runs.

async function seedPeople(bot: TestBot): Promise<void> {
  for (const role of ['manager', 'viewer', 'editor']) await bot.deployment.addRole(role);
  await addPeople(bot, [
    ['U0ADA', 'ada@example.com', ['admin']],
    ['U0BEA', 'bea@example.com', ['admin']],
    ['U0CAL', 'cal@example.com', ['admin']],
    ['U0MAX', 'max@example.com', ['manager']],
    ['U0VIC', 'vic@example.com', ['viewer']],
  ]);
}

async function click(bot: TestBot, who: string, filed: FiledRequest): Promise<string> {
  const clicked = await clickCard(bot, who, filed, 'Approve');
  expect(clicked.status).toBe(200);
  return String((await answerTo(bot.slack, clicked)).args.text);
}

function cardText(bot: TestBot, filed: FiledRequest): string {
  return textIn(cardMessage(bot.slack, filed).blocks);
}

async function withoutRole(bot: TestBot, userId: string, roleName: string): Promise<void> {
  await bot.deployment.clients.documents.send(
    new DeleteCommand({ TableName: bot.deployment.tables.userRoles, Key: { userId, roleName } }),
  );
}

describe('privileged onboarding, PRIVILEGED_APPROVALS=1', () => {
  let bot: TestBot;

  beforeAll(async () => {
    bot = await startTestBot({ env: { MANAGER_ROLES: 'manager' } });
    await seedPeople(bot);
  });
  afterAll(() => bot.stop());

  it('refuses a manager, warns about the requester’s own email and roles, and lets an admin run it', async () => {
    // A plain user asks for an admin login with their own email: the attack that gave a viewer
    // an admin account by DM.
    const filed = await fileOnboarding(bot, 'U0VIC', {
      userId: 'pete-admin',
      email: 'vic@example.com',
      roles: ['admin'],
    });
    const card = cardText(bot, filed);
    expect(card).toContain('*Privileged:* grants `admin`');
    expect(card).toContain('0 of 1 approval');
    expect(card).toContain(
      "The new user's email vic@example.com is the requester's own Slack email",
    );
    expect(card).toContain('The requester does not hold admin, which they ask to give');
    expect(card).toContain('Cognito users already have vic@example.com: vic@example.com');

    const refusal = await click(bot, 'U0MAX', filed);
    expect(refusal).toContain(
      'is privileged: it grants `admin`, so only VAMS admins can decide it',
    );
    expect((await storedRequest(bot, filed.id)).status).toBe('pending');
    expect(await cognitoUser(bot.deployment, 'pete-admin')).toBeUndefined();
    const refused = (await requestStore(bot).events(filed.id)).filter(
      (event) => event.type === 'click-refused',
    );
    expect(refused.map((event) => event.detail?.reason)).toEqual(['privileged-needs-admin']);

    await clickCard(bot, 'U0ADA', filed, 'Approve');
    expect((await finished(bot, filed)).status).toBe('succeeded');
    const rows = await roleRows(bot.deployment, 'pete-admin');
    expect(rows.map((row) => row.roleName)).toEqual(['admin']);
  });

  it('lets a manager approve onboarding with roles that are not admin roles', async () => {
    const filed = await fileOnboarding(bot, 'U0VIC', { userId: 'new-viewer', roles: ['viewer'] });
    expect(cardText(bot, filed)).not.toContain('Privileged');
    await clickCard(bot, 'U0MAX', filed, 'Approve');
    expect((await finished(bot, filed)).status).toBe('succeeded');
  });

  it('makes the Slack member whose email the new user gets a subject, who cannot approve', async () => {
    const filed = await fileOnboarding(bot, 'U0VIC', {
      userId: 'bea-second',
      email: 'bea@example.com',
      roles: ['viewer'],
    });
    expect(cardText(bot, filed)).toContain(
      "The new user's email bea@example.com belongs to Slack member U0BEA, who therefore cannot approve this request",
    );
    expect(await click(bot, 'U0BEA', filed)).toContain('This request is about you');
    expect((await storedRequest(bot, filed.id)).approvals).toEqual([]);
    await clickCard(bot, 'U0CAL', filed, 'Approve');
    expect((await finished(bot, filed)).status).toBe('succeeded');
  });

  it('files one request however often one dialog submission arrives', async () => {
    const before = (await bot.app.workflow.open()).length;
    const viewId = await openOnboardingModal(bot, 'U0VIC');
    const fields = onboardingFields({ userId: 'replayed-user', roles: ['viewer'] });
    const first = await bot.driver.submitView('U0VIC', viewId, fields);
    expect(first.status).toBe(200);
    const replays = await Promise.all([1, 2, 3].map(() => bot.driver.replayLastPayload()));
    expect(replays.map((replay) => replay.status)).toEqual([200, 200, 200]);
    // Each replay is acked first and then turned away when it tries to file.
    await eventually(() => {
      const turnedAway = bot.logs.filter((line) =>
        line.includes('a dialog that already filed a request was submitted again'),
      );
      if (turnedAway.length < 3) throw new Error(`${turnedAway.length} of 3 replays turned away`);
    });
    const filed = (await bot.app.workflow.open()).filter(
      (request) => request.subject === 'replayed-user',
    );
    expect(filed).toHaveLength(1);
    expect((await bot.app.workflow.open()).length).toBe(before + 1);
    const cards = bot.slack
      .messages('C0APPROVALS')
      .filter(
        (message) => message.threadTs === undefined && message.text?.includes('replayed-user'),
      );
    expect(cards).toHaveLength(1);
  });
});

describe('privileged onboarding, PRIVILEGED_APPROVALS=2', () => {
  let bot: TestBot;

  beforeAll(async () => {
    bot = await startTestBot({
      env: { MANAGER_ROLES: 'manager', PRIVILEGED_APPROVALS: '2' },
    });
    await seedPeople(bot);
  });
  afterAll(() => bot.stop());

  it('waits after one admin, refuses a manager, and runs after a second admin', async () => {
    const filed = await fileOnboarding(bot, 'U0VIC', { userId: 'two-admins', roles: ['admin'] });
    expect(cardText(bot, filed)).toContain('0 of 2 approvals');

    expect(await click(bot, 'U0ADA', filed)).toContain('is recorded: 1 of 2');
    expect((await storedRequest(bot, filed.id)).status).toBe('pending');
    expect(cardText(bot, filed)).toContain('1 of 2 approvals');

    expect(await click(bot, 'U0MAX', filed)).toContain('only VAMS admins can decide it');
    expect((await storedRequest(bot, filed.id)).approvals.map((a) => a.vamsUserId)).toEqual([
      'ada@example.com',
    ]);
    expect(await cognitoUser(bot.deployment, 'two-admins')).toBeUndefined();

    await clickCard(bot, 'U0BEA', filed, 'Approve');
    const done = await finished(bot, filed);
    expect(done.status).toBe('succeeded');
    expect(done.approvals.map((approval) => approval.vamsUserId)).toEqual([
      'ada@example.com',
      'bea@example.com',
    ]);
  });

  it('keeps non-admin onboarding at one approval', async () => {
    const filed = await fileOnboarding(bot, 'U0VIC', { userId: 'one-viewer', roles: ['viewer'] });
    expect(cardText(bot, filed)).toContain('0 of 1 approval');
    await clickCard(bot, 'U0MAX', filed, 'Approve');
    expect((await finished(bot, filed)).status).toBe('succeeded');
  });

  it('counts an API key for an admin as privileged: it acts with its owner’s admin role', async () => {
    const keyFor = (name: string) => ({
      Name: name,
      Description: `CI pipeline ${name}`,
      Expires: new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10),
      Reason: 'Nightly uploads',
    });
    const adminKey = await fileThroughDialog(bot, 'U0CAL', 'key request', keyFor('cal-admin-ci'));
    expect(cardText(bot, adminKey)).toContain('*Privileged:* grants `admin`');
    expect(cardText(bot, adminKey)).toContain('0 of 2 approvals');
    expect(await click(bot, 'U0ADA', adminKey)).toContain('is recorded: 1 of 2');
    expect((await storedRequest(bot, adminKey.id)).status).toBe('pending');
    await clickCard(bot, 'U0BEA', adminKey, 'Approve');
    expect((await finished(bot, adminKey)).status).toBe('succeeded');

    const viewerKey = await fileThroughDialog(bot, 'U0VIC', 'key request', keyFor('vic-ci'));
    expect(cardText(bot, viewerKey)).not.toContain('Privileged');
    expect(cardText(bot, viewerKey)).toContain('0 of 1 approval');
  });

  it('does not count an approval whose admin lost the role before the request ran', async () => {
    const filed = await fileOnboarding(bot, 'U0VIC', { userId: 'stale-quorum', roles: ['admin'] });
    expect(await click(bot, 'U0ADA', filed)).toContain('1 of 2');
    // Ada stops being an admin (VAMS's own UI, say) before the second approval arrives.
    await withoutRole(bot, 'ada@example.com', 'admin');

    await clickCard(bot, 'U0BEA', filed, 'Approve');
    const waiting = await eventually(async () => {
      const request = await storedRequest(bot, filed.id);
      if (!request.droppedApprovals) throw new Error('the stale approval is still counted');
      return request;
    });
    expect(waiting.status).toBe('pending');
    expect(waiting.approvals.map((approval) => approval.vamsUserId)).toEqual(['bea@example.com']);
    expect(await cognitoUser(bot.deployment, 'stale-quorum')).toBeUndefined();
    expect(cardText(bot, filed)).toContain(
      'The approval of <@U0ADA> no longer counts: they no longer hold an approver role. Waiting for another approver.',
    );
    const dropped = (await requestStore(bot).events(filed.id)).filter(
      (event) => event.type === 'approval-dropped',
    );
    expect(dropped.map((event) => event.actor)).toEqual(['ada@example.com']);

    await clickCard(bot, 'U0CAL', filed, 'Approve');
    expect((await finished(bot, filed)).status).toBe('succeeded');
  });
});

describe('MANAGER_GRANTABLE_ROLES', () => {
  let bot: TestBot;

  beforeAll(async () => {
    bot = await startTestBot({
      env: { MANAGER_ROLES: 'manager', MANAGER_GRANTABLE_ROLES: 'viewer' },
    });
    await seedPeople(bot);
  });
  afterAll(() => bot.stop());

  it('refuses a manager who would give a role outside the list, and names it', async () => {
    const filed = await fileOnboarding(bot, 'U0VIC', {
      userId: 'new-editor',
      roles: ['viewer', 'editor'],
    });
    expect(await click(bot, 'U0MAX', filed)).toContain(
      'Managers may not approve giving `editor`; a VAMS admin has to decide',
    );
    expect((await storedRequest(bot, filed.id)).status).toBe('pending');
    await clickCard(bot, 'U0ADA', filed, 'Approve');
    expect((await finished(bot, filed)).status).toBe('succeeded');
  });

  it('lets a manager approve roles on the list', async () => {
    const filed = await fileOnboarding(bot, 'U0VIC', {
      userId: 'listed-viewer',
      roles: ['viewer'],
    });
    await clickCard(bot, 'U0MAX', filed, 'Approve');
    expect((await finished(bot, filed)).status).toBe('succeeded');
  });
});
