import type { RequestOf } from '../../src/domain/request';
import { checkMessage, checkView } from '../../src/views/block-kit-limits';
import { listWithin } from '../../src/views/fit';
import { rejectModal, requestCard } from '../../src/views/request-card.view';
import { progressMessage } from '../../src/views/request-thread.view';
import { requestsListMessage } from '../../src/views/requests-list.view';

function request(overrides: Partial<RequestOf<'user.create'>> = {}): RequestOf<'user.create'> {
  return {
    id: 'R0CARD001',
    kind: 'user.create',
    params: { userId: 'jane', email: 'jane@example.com', roles: ['viewer'] },
    reason: 'Joins the team',
    requester: { slackUserId: 'U0MAX', vamsUserId: 'max@example.com' },
    subject: 'jane',
    status: 'pending',
    approvals: [],
    requiredApprovals: 1,
    preflight: [{ check: 'roles-exist', ok: true, detail: 'Roles exist in VAMS: viewer' }],
    card: { channel: 'C0APPROVALS', ts: '1700000000.000100' },
    createdAt: '2026-11-24T10:00:00.000Z',
    expiresAt: '2026-11-25T10:00:00.000Z',
    steps: [],
    version: 2,
    ...overrides,
  };
}

const buttons = (blocks: unknown[]) =>
  JSON.stringify(blocks).match(/"type":"button"/g)?.length ?? 0;

describe('request card', () => {
  it('stays within Slack’s limits with 200 long roles, the longest reason and pre-flight', () => {
    const roles = Array.from(
      { length: 200 },
      (_, index) => `role-${String(index).padStart(3, '0')}-${'x'.repeat(60)}`,
    );
    const card = requestCard(
      request({
        params: { userId: 'jane', email: 'jane@example.com', roles },
        reason: 'r'.repeat(1000),
        preflight: [
          { check: 'roles-exist', ok: true, detail: `Roles exist in VAMS: ${roles.join(', ')}` },
        ],
      }),
    );
    expect(checkMessage(card)).toEqual([]);
    expect(JSON.stringify(card.blocks)).toMatch(/…and \d+ more/);
  });

  it('escapes what people typed, so a reason cannot mention or link', () => {
    const card = requestCard(
      request({ reason: '<!channel> see <https://evil.example|here> & more' }),
    );
    const shown = JSON.stringify(card.blocks);
    expect(shown).toContain('&lt;!channel&gt;');
    expect(shown).not.toContain('<!channel>');
    expect(shown).not.toContain('<https://evil.example|here>');
    expect(shown).toContain('&amp; more');
  });

  it('shows Approve, Reject and Cancel while pending, and no button once decided', () => {
    expect(buttons(requestCard(request()).blocks)).toBe(3);
    for (const status of [
      'approved',
      'executing',
      'succeeded',
      'failed',
      'rejected',
      'expired',
      'cancelled',
    ] as const) {
      expect(buttons(requestCard(request({ status })).blocks)).toBe(0);
    }
  });

  it('shows the tally and who approved', () => {
    const card = requestCard(
      request({
        requiredApprovals: 2,
        approvals: [
          { slackUserId: 'U0ADA', vamsUserId: 'ada', roles: ['admin'], at: '2026-11-24T11:00:00Z' },
        ],
      }),
    );
    expect(JSON.stringify(card.blocks)).toContain('1 of 2 approvals (<@U0ADA>)');
  });

  it('keeps only the request id in the reject dialog’s private_metadata', () => {
    const modal = rejectModal(request());
    expect(modal.private_metadata).toBe('R0CARD001');
    expect(checkView(modal)).toEqual([]);
  });
});

describe('thread and list messages', () => {
  it('a progress message with every step state is valid and names Slack people as mentions', () => {
    const message = progressMessage(request(), [
      {
        label: 'Find the new user in Slack',
        state: 'done',
        detail: 'by Slack DM to U0NIA123',
        detailParts: [{ text: 'by Slack DM to ' }, { slackUserId: 'U0NIA123' }],
      },
      { label: 'Create Cognito user jane', state: 'running' },
      { label: 'Assign VAMS role viewer', state: 'waiting' },
      { label: 'Deliver the temporary password', state: 'failed', detail: 'channel_not_found' },
    ]);
    expect(checkMessage(message)).toEqual([]);
    expect(JSON.stringify(message.blocks)).toContain('<@U0NIA123>');
  });

  it('mentions only who got a DM: an id-like role name in a detail pings nobody', () => {
    const message = progressMessage(request(), [
      { label: 'Remove the VAMS roles of bob', state: 'done', detail: 'removed U0ABC1234, admin' },
    ]);
    const shown = JSON.stringify(message.blocks);
    expect(shown).toContain('removed U0ABC1234, admin');
    expect(shown).not.toContain('<@U0ABC1234>');
  });

  it('mentions only ids a step recorded as Slack people, never ids found in its text', () => {
    const message = progressMessage(request(), [
      { label: 'Check the owner and the name', state: 'failed', detail: 'named "DM to U0ADMIN99"' },
      {
        label: 'Create the key and deliver it by DM',
        state: 'done',
        detail: 'delivered by DM to U0BOB; key "DM to U0ADMIN99"',
        detailParts: [
          { text: 'delivered by DM to ' },
          { slackUserId: 'U0BOB' },
          { text: '; key "DM to U0ADMIN99"' },
        ],
      },
      {
        label: 'Odd',
        state: 'done',
        detail: '<!channel>',
        detailParts: [{ slackUserId: '<!channel>' }],
      },
    ]);
    const shown = JSON.stringify(message.blocks);
    expect(shown).toContain('delivered by DM to <@U0BOB>');
    expect(shown).toContain('DM to U0ADMIN99');
    expect(shown).not.toContain('<@U0ADMIN99>');
    expect(shown).not.toContain('<!channel>');
  });

  it('/vams requests stays within 50 blocks however many requests are open', () => {
    const many = Array.from({ length: 80 }, (_, index) => request({ id: `R${index}` }));
    const message = requestsListMessage(many, many);
    expect(checkMessage(message)).toEqual([]);
    expect(JSON.stringify(message.blocks)).toContain('more in the approvals channel');
  });
});

describe('listWithin', () => {
  it('keeps every item that fits and says how many were left out', () => {
    expect(listWithin(['a', 'b', 'c'], ', ', 100)).toBe('a, b, c');
    expect(listWithin(['aaaa', 'bbbb', 'cccc', 'dddd'], ', ', 23)).toBe('aaaa, bbbb, …and 2 more');
    expect(listWithin(['aaaa', 'bbbb', 'cccc', 'dddd'], ', ', 22)).toBe('aaaa, …and 3 more');
  });
});

describe('progress with many steps', () => {
  it('folds finished steps so the running and failed ones stay visible within the limit', () => {
    const steps = Array.from({ length: 150 }, (_, index) => ({
      label: `Assign VAMS role role-${index}-${'x'.repeat(40)}`,
      state: 'done' as const,
      detail: 'assigned',
    }));
    const message = progressMessage(request(), [
      ...steps,
      { label: 'Deliver the temporary password', state: 'failed', detail: 'channel_not_found' },
    ]);
    expect(checkMessage(message)).toEqual([]);
    const shown = JSON.stringify(message.blocks);
    expect(shown).toContain('150 of 151 steps done');
    expect(shown).toContain('Deliver the temporary password — channel_not_found');
  });

  it('says how far a long run is and what it does now', () => {
    const steps = Array.from({ length: 50 }, (_, index) => ({
      label: `Offboard bulk${String(index).padStart(3, '0')} ${'x'.repeat(60)}`,
      state:
        index < 37 ? ('done' as const) : index === 37 ? ('running' as const) : ('waiting' as const),
    }));
    const shown = JSON.stringify(progressMessage(request(), steps).blocks);
    expect(shown).toContain('37 of 50 steps done; now Offboard bulk037');
  });
});
