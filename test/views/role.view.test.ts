import { durationLabel, type RoleHolding } from '../../src/domain/grant';
import type { RequestOf } from '../../src/domain/request';
import { checkMessage, checkView } from '../../src/views/block-kit-limits';
import { requestCard } from '../../src/views/request-card.view';
import {
  allRolesMessage,
  grantReminderDm,
  roleGrantModal,
  userRolesMessage,
} from '../../src/views/role.view';

const grant = {
  grantId: 'GABC-1',
  requestId: 'RABC',
  requestedBy: 'U0KIM',
  start: '2026-12-03T10:00:00.000Z',
  end: '2026-12-03T11:00:00.000Z',
};

function holding(overrides: Partial<RoleHolding> = {}): RoleHolding {
  return {
    userId: 'kim',
    roleName: 'editor',
    keepsRow: false,
    grants: [grant],
    ended: [],
    version: 1,
    ...overrides,
  };
}

describe('durations as people read them', () => {
  it.each([
    [1, '1 minute'],
    [60, '1 hour'],
    [240, '4 hours'],
    [480, '8 hours'],
    [1440, '1 day'],
    [10080, '7 days'],
    [20160, '2 weeks'],
    [90, '90 minutes'],
  ])('%d minutes is "%s"', (minutes, label) => {
    expect(durationLabel(minutes)).toBe(label);
  });
});

describe('role dialogs and messages within Block Kit', () => {
  it('the assign dialog offers Permanent, the request dialog does not', () => {
    const assign = roleGrantModal({ mode: 'assign', userId: 'kim', durations: [60, 1440] });
    const request = roleGrantModal({ mode: 'request', durations: [60], roles: ['editor'] });
    expect(checkView(assign)).toEqual([]);
    expect(checkView(request)).toEqual([]);
    expect(JSON.stringify(assign)).toContain('"Permanent"');
    expect(JSON.stringify(request)).not.toContain('Permanent');
    expect(JSON.stringify(request)).toContain('"text":"1 hour"');
    // The chosen role comes back selected, as an Extend from a reminder shows it.
    expect(JSON.stringify(request)).toContain(
      '"initial_options":[{"text":{"type":"plain_text","text":"editor"},"value":"editor"}]',
    );
  });

  it('a role list of hundreds of long roles stays within the limits', () => {
    const held = Array.from({ length: 400 }, (_, index) => ({
      roleName: `${'r'.repeat(200)}${index}`,
      holding: index % 2 === 0 ? holding({ roleName: `r${index}` }) : undefined,
    }));
    const message = userRolesMessage('kim', held);
    expect(checkMessage(message)).toEqual([]);
    expect(JSON.stringify(message)).toContain('not all are shown');
    const all = allRolesMessage(
      held.map((role) => ({
        roleName: role.roleName,
        description: 'd'.repeat(256),
        mfaRequired: false,
        holders: 3,
      })),
    );
    expect(checkMessage(all)).toEqual([]);
  });

  it('a grant shows until when and who asked; a role held before it shows permanent', () => {
    const text = JSON.stringify(
      userRolesMessage('kim', [
        { roleName: 'editor', holding: holding() },
        { roleName: 'viewer', holding: holding({ roleName: 'viewer', keepsRow: true }) },
      ]),
    );
    expect(text).toContain('`editor`: until <!date^');
    expect(text).toContain('(grant GABC-1, requested by <@U0KIM>)');
    expect(text).toContain('`viewer`: permanent (also grant GABC-1 until');
  });

  it("the reminder's buttons carry only the role name", () => {
    const dm = grantReminderDm(holding(), grant);
    expect(checkMessage(dm)).toEqual([]);
    const values = JSON.stringify(dm).match(/"value":"[^"]*"/g);
    expect(values).toEqual(['"value":"editor"', '"value":"editor"']);
    expect(JSON.stringify(dm)).toContain('Extend');
    expect(JSON.stringify(dm)).toContain('Release now');
  });

  it('role cards pass, with many long roles', () => {
    const card = requestCard({
      id: 'R0ROLE001',
      kind: 'role.assign',
      params: {
        userId: 'kim',
        roles: Array.from({ length: 60 }, (_, i) => `${'x'.repeat(250)}${i}`),
        minutes: 60,
      },
      reason: 'Editing week',
      requester: { slackUserId: 'U0ADA', vamsUserId: 'ada@example.com' },
      subject: 'kim',
      status: 'pending',
      approvals: [],
      requiredApprovals: 1,
      preflight: [],
      createdAt: '2026-11-24T10:00:00.000Z',
      expiresAt: '2026-11-25T10:00:00.000Z',
      steps: [],
      version: 1,
    } satisfies RequestOf<'role.assign'>);
    expect(checkMessage(card)).toEqual([]);
    expect(JSON.stringify(card)).toContain('1 hour, then the roles end by themselves');
  });
});
