import type { AccessRequest } from '../../src/domain/request';
import { lastAdminProblem, offboardingExecutor } from '../../src/kinds/offboarding/steps';
import { createLogger } from '../../src/logging';
import { DynamoAdminRoleGuard } from '../../src/stores/admin-role-guard.store';
import { VamsApiKeyStore } from '../../src/stores/vams-api-keys.store';
import { VamsUserRoleStore } from '../../src/stores/vams-user-roles.store';
import { gatherScans } from '../support/gathered-scans';
import { cognitoUser, requestStore, roleRows } from '../support/onboarding-flow';
import { APPROVAL_CHANNEL, startTestBot, type TestBot } from '../support/test-bot';
import { createTestDeployment, type TestDeployment } from '../support/vams-deployment';

describe('the last-admin safeguard', () => {
  let bot: TestBot;
  beforeAll(async () => {
    bot = await startTestBot();
    await bot.deployment.addVamsUser('only-admin', ['admin'], 'only@example.com');
    await bot.deployment.addRole('viewer');
    await bot.deployment.addVamsUser('plain', ['viewer'], 'plain@example.com');
  });
  afterAll(() => bot.stop());

  it('names the last admin and refuses; anyone else may go', async () => {
    const ports = {
      userRoles: new VamsUserRoleStore(
        bot.deployment.clients.documents,
        bot.deployment.tables.userRoles,
      ),
      adminRoles: ['admin'],
    };
    expect(await lastAdminProblem(ports, ['only-admin', 'plain'])).toContain(
      'the last VAMS admin (only-admin)',
    );
    expect(await lastAdminProblem(ports, ['plain'])).toBeUndefined();
  });

  it('sends an approved offboarding of the last admin back to waiting when its approver is no admin any more, changing nothing', async () => {
    const store = requestStore(bot);
    const now = new Date().toISOString();
    await store.create({
      id: 'RLASTADMIN',
      kind: 'user.offboard',
      params: { userIds: ['only-admin'], action: 'delete' },
      reason: 'test',
      requester: { slackUserId: 'U0X', vamsUserId: 'someone-who-lost-admin' },
      subject: 'only-admin',
      status: 'approved',
      approvals: [{ slackUserId: 'U0Y', vamsUserId: 'former-admin', roles: ['admin'], at: now }],
      requiredApprovals: 1,
      preflight: [],
      card: { channel: APPROVAL_CHANNEL, ts: '1700000000.000100' },
      createdAt: now,
      expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      steps: [],
      version: 1,
    });
    await bot.app.workflow.execute('RLASTADMIN');
    const ended = await store.get('RLASTADMIN');
    expect(ended?.status).toBe('pending');
    expect(ended?.approvals).toEqual([]);
    expect(ended?.droppedApprovals?.map((dropped) => dropped.vamsUserId)).toEqual(['former-admin']);
    expect(ended?.steps).toEqual([]);
    expect(await roleRows(bot.deployment, 'only-admin')).toHaveLength(1);
    expect(await cognitoUser(bot.deployment, 'only-admin')).toBeDefined();
  });

  it('its first step refuses to offboard the last admin, so a request approved a moment before the last other admin left stops there', async () => {
    const { documents } = bot.deployment.clients;
    const { tables } = bot.deployment;
    const executor = offboardingExecutor({
      userRoles: new VamsUserRoleStore(documents, tables.userRoles),
      apiKeys: new VamsApiKeyStore(documents, tables.apiKeys),
      adminGuard: new DynamoAdminRoleGuard(documents, tables, ['admin']),
      cognito: undefined,
      adminRoles: ['admin'],
    });
    const now = new Date();
    const request: AccessRequest = {
      id: 'RFIRSTSTEP',
      kind: 'user.offboard',
      params: { userIds: ['only-admin', 'plain'], action: 'delete' },
      reason: 'test',
      requester: { slackUserId: 'U0X', vamsUserId: 'someone' },
      subject: 'only-admin',
      status: 'executing',
      approvals: [],
      requiredApprovals: 1,
      preflight: [],
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + 3_600_000).toISOString(),
      steps: [],
      version: 1,
    };
    const [first] = executor.steps(request);
    expect(first?.name).toBe('last-admin-check');
    await expect(
      first?.run({
        request,
        now,
        log: createLogger('silent'),
        fence: async () => {},
        resumed: false,
      }),
    ).rejects.toThrow('the last VAMS admin (only-admin)');
    expect(await roleRows(bot.deployment, 'only-admin')).toHaveLength(1);
  });

  it('checks again right before removing an admin’s roles, when the first check is already behind a resumed request', async () => {
    const store = requestStore(bot);
    const now = new Date().toISOString();
    await store.create({
      id: 'RRESUMEDADMIN',
      kind: 'user.offboard',
      params: { userIds: ['only-admin'], action: 'delete' },
      reason: 'test',
      requester: { slackUserId: 'U0X', vamsUserId: 'someone-who-lost-admin' },
      subject: 'only-admin',
      status: 'approved',
      approvals: [{ slackUserId: 'U0Y', vamsUserId: 'former-admin', roles: ['admin'], at: now }],
      requiredApprovals: 1,
      preflight: [],
      card: { channel: APPROVAL_CHANNEL, ts: '1700000000.000200' },
      createdAt: now,
      expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      // As after a Retry: the first check passed when another admin still existed.
      steps: [{ name: 'last-admin-check', status: 'done', at: now, detail: 'an admin remains' }],
      version: 1,
    });
    await bot.app.workflow.execute('RRESUMEDADMIN');
    const ended = await store.get('RRESUMEDADMIN');
    expect(ended?.status).toBe('failed');
    expect(ended?.failure).toContain('the last VAMS admin (only-admin)');
    expect(await roleRows(bot.deployment, 'only-admin')).toHaveLength(1);
  });
});

describe('removing admin roles at the same moment', () => {
  let deployment: TestDeployment;
  beforeAll(async () => {
    deployment = await createTestDeployment();
  });
  afterAll(() => deployment.destroy());

  const guard = () =>
    new DynamoAdminRoleGuard(deployment.clients.documents, deployment.tables, ['admin']);

  const adminHolders = async (userIds: string[]) =>
    (
      await Promise.all(
        userIds.map(async (userId) =>
          (await roleRows(deployment, userId)).some((row) => row.roleName === 'admin')
            ? [userId]
            : [],
        ),
      )
    ).flat();

  it('three removals that all counted three admins leave one admin, and refuse the last', async () => {
    const admins = ['race-a', 'race-b', 'race-c'];
    for (const userId of admins) await deployment.addVamsUser(userId, ['admin']);
    // Every count happens before any removal: without the guard all three would pass.
    const gathered = gatherScans(
      [deployment.clients.documents],
      deployment.tables.userRoles,
      3,
      500,
    );
    try {
      const outcomes = await Promise.all(
        admins.map((userId) => guard().removeAdminRole(userId, 'admin')),
      );
      expect(gathered.gathered()).toBeGreaterThanOrEqual(3);
      expect([...outcomes].sort()).toEqual(['last-admin', 'removed', 'removed']);
      expect(await adminHolders(admins)).toHaveLength(1);
    } finally {
      gathered.remove();
    }
    // The survivor is still refused on a later, lone attempt; a row nobody holds is absent.
    const [survivor] = await adminHolders(admins);
    expect(await guard().removeAdminRole(survivor ?? '', 'admin')).toBe('last-admin');
    expect(await guard().removeAdminRole('nobody-here', 'admin')).toBe('absent');
  });

  it('tells user IDs apart by case, as VAMS does', async () => {
    // A role of its own, so that only these two hold it.
    await deployment.addRole('case-role');
    await deployment.addVamsUser('Case-Admin', ['case-role']);
    await deployment.addVamsUser('case-admin', ['case-role']);
    const ports = {
      userRoles: new VamsUserRoleStore(deployment.clients.documents, deployment.tables.userRoles),
      adminRoles: ['case-role'],
    };
    const caseGuard = new DynamoAdminRoleGuard(deployment.clients.documents, deployment.tables, [
      'case-role',
    ]);
    expect(await lastAdminProblem(ports, ['case-admin'])).toBeUndefined();
    expect(await caseGuard.removeAdminRole('CASE-ADMIN', 'case-role')).toBe('absent');
    expect(await caseGuard.removeAdminRole('case-admin', 'case-role')).toBe('removed');
    expect(await lastAdminProblem(ports, ['Case-Admin'])).toContain('(Case-Admin)');
    expect(await caseGuard.removeAdminRole('Case-Admin', 'case-role')).toBe('last-admin');
  });
});
