import type { ApiKeyMetadata } from '../../src/domain/api-key';
import type { RoleHolding } from '../../src/domain/grant';
import { checkView } from '../../src/views/block-kit-limits';
import { homeView } from '../../src/views/home.view';
import { pendingOnboarding } from '../support/memory-workflow';
import { textIn } from '../support/onboarding-flow';

const NOW = new Date('2026-12-04T10:00:00.000Z');

const requests = (prefix: string, count: number) =>
  Array.from({ length: count }, (_, index) =>
    pendingOnboarding({ id: `R${prefix}${index}`, reason: 'x'.repeat(500) }),
  );

const holding = (index: number): RoleHolding => ({
  userId: 'vic',
  roleName: `role-${index}`,
  keepsRow: false,
  grants: [
    {
      grantId: `GR${index}-1`,
      requestId: `R${index}`,
      start: '2026-12-04T09:00:00.000Z',
      end: '2026-12-04T11:00:00.000Z',
      requestedBy: 'U0VIC',
    },
  ],
  ended: [],
  version: 1,
});

const key = (index: number): ApiKeyMetadata => ({
  apiKeyId: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
  name: `key-${index}`,
  description: 'CI',
  userId: 'vic',
  createdBy: 'vic',
  createdAt: `2026-01-${String((index % 28) + 1).padStart(2, '0')}T00:00:00Z`,
  expiresAt: undefined,
  active: true,
});

describe('homeView', () => {
  it('stays within 100 blocks and Slack limits however much there is, and says what is left out', () => {
    const view = homeView({
      identity: { vamsUserId: 'vic', roles: ['viewer'] },
      notice: 'You approved RX',
      decidable: requests('D', 40),
      own: requests('O', 40),
      grants: Array.from({ length: 40 }, (_, index) => holding(index)),
      keys: Array.from({ length: 40 }, (_, index) => key(index)),
      keyButtons: (shown) => [
        { text: 'Rotate', actionId: 'rotate', value: shown.apiKeyId },
        { text: 'Revoke', actionId: 'revoke', value: shown.apiKeyId },
      ],
      now: NOW,
    });
    expect(view.blocks.length).toBeLessThanOrEqual(100);
    expect(checkView(view)).toEqual([]);
    const text = textIn(view.blocks);
    expect(text).toContain('…and 25 more: `/vams requests`');
    expect(text).toContain('…and 30 more: `/vams requests`');
    expect(text).toContain('…and 30 more: `/vams role list`');
    expect(text).toContain('…and 30 more: `/vams key list`');
    expect(text).toContain('You approved RX');
  });

  it('leaves out the decisions of someone who approves nothing, and greets the unmapped', () => {
    const view = homeView({
      identity: { unmapped: 'no VAMS user has your email' },
      decidable: undefined,
      own: [],
      grants: [],
      keys: [],
      now: NOW,
    });
    const text = textIn(view.blocks);
    expect(text).not.toContain('Waiting for your decision');
    expect(text).toContain('You are not matched to a VAMS user: no VAMS user has your email');
    expect(text).toContain('You have filed no requests lately.');
  });
});
