import type { RequestOf } from '../../src/domain/request';
import { BLOCK_KIT_LIMITS, checkMessage } from '../../src/views/block-kit-limits';
import { escapeMrkdwn, withSlackDates } from '../../src/views/mrkdwn';
import { requestCard } from '../../src/views/request-card.view';
import { requesterOutcomeDm, resultMessages } from '../../src/views/request-thread.view';
import { summaryPieces, summaryWithin } from '../../src/views/summary';

const THREAD_HAS_IT = "the full list is in the request's thread";

const userIds = Array.from(
  { length: 50 },
  (_, index) => `leaver-${String(index).padStart(2, '0')}`,
);

// Worded as the workflow words a failure: the step, the reason, then every step already done.
function lastStepFailure(): string {
  const labels = [
    'Check that an admin remains',
    ...userIds.flatMap((userId) => [
      `Remove the VAMS roles of ${userId}`,
      `Deactivate the API keys of ${userId}`,
      `Sign ${userId} out everywhere`,
      `Delete Cognito user ${userId}`,
    ]),
  ];
  const failedStep = labels.pop();
  return `Step “${failedStep}” failed: Cognito is unavailable. Already done: ${labels.join('; ')}.`;
}

function failedOffboarding(failure: string): RequestOf<'user.offboard'> {
  return {
    id: 'R0BULK001',
    kind: 'user.offboard',
    params: { userIds, action: 'delete' },
    reason: 'Team closed',
    requester: { slackUserId: 'U0ADA', vamsUserId: 'ada@example.com' },
    subject: `${userIds.length} users`,
    status: 'failed',
    approvals: [
      {
        slackUserId: 'U0ALAN',
        vamsUserId: 'alan@example.com',
        roles: ['admin'],
        at: '2026-11-24T10:05:00.000Z',
      },
    ],
    requiredApprovals: 1,
    preflight: [],
    card: { channel: 'C0APPROVALS', ts: '1700000000.000100' },
    createdAt: '2026-11-24T10:00:00.000Z',
    expiresAt: '2026-11-25T10:00:00.000Z',
    steps: [],
    failure,
    version: 9,
  };
}

const LINK = 'https://example.slack.com/archives/C0APPROVALS/p1700000000000100';

describe('a 50-person offboarding that failed at its last step', () => {
  const failure = lastStepFailure();
  const request = failedOffboarding(failure);

  it('is longer than a section can hold, as the refused DM was', () => {
    expect(failure.length).toBeGreaterThan(BLOCK_KIT_LIMITS.sectionTextChars * 2);
  });

  it('fits the requester’s DM, naming the failed step and where the rest is', () => {
    const dm = requesterOutcomeDm(request, failure, LINK);
    expect(checkMessage(dm)).toEqual([]);
    const shown = JSON.stringify(dm.blocks);
    expect(shown).toContain('Step “Delete Cognito user leaver-49” failed: Cognito is unavailable');
    expect(shown).toMatch(/…and \d+ more — the full list is in the request's thread/);
    expect(shown).toContain(`<${LINK}|See the request>.`);
  });

  it('fits the card', () => {
    const card = requestCard(request);
    expect(checkMessage(card)).toEqual([]);
    expect(JSON.stringify(card.blocks)).toContain(THREAD_HAS_IT);
  });

  it('is whole in the thread: every person, every step done, within Slack’s limits', () => {
    const messages = resultMessages(request, failure);
    for (const message of messages) expect(checkMessage(message)).toEqual([]);
    const thread = messages.map((message) => JSON.stringify(message.blocks)).join('');
    for (const userId of userIds) {
      expect(thread).toContain(`Remove the VAMS roles of ${userId}`);
      expect(thread).toContain(`Deactivate the API keys of ${userId}`);
    }
    expect(thread).toContain('Delete Cognito user leaver-48');
    expect(thread).not.toContain(THREAD_HAS_IT);
  });
});

describe('resultMessages', () => {
  it('goes on over several replies when one message cannot hold the summary', () => {
    const items = Array.from({ length: 2000 }, (_, index) => `step number ${index} & more`);
    const summary = `Done: ${items.join('; ')}.`;
    const messages = resultMessages(failedOffboarding(summary), summary);
    expect(messages.length).toBeGreaterThan(1);
    for (const message of messages) expect(checkMessage(message)).toEqual([]);
    const thread = messages.map((message) => JSON.stringify(message.blocks)).join('');
    for (const item of items) expect(thread).toContain(escapeMrkdwn(item));
  });

  it('is one message of one section for a short summary, marked with the outcome', () => {
    const messages = resultMessages(
      failedOffboarding('x'),
      'Step “A” failed: no. Already done: nothing.',
    );
    expect(messages).toHaveLength(1);
    expect(messages[0]?.blocks).toHaveLength(1);
    expect(messages[0]?.text).toBe(':x: Step “A” failed: no. Already done: nothing.');
  });
});

describe('summaryWithin', () => {
  it('leaves a summary that fits as it is, escaped', () => {
    expect(summaryWithin('Removed a & b', 100)).toBe('Removed a &amp; b');
  });

  it('cuts between list items and counts the ones left out', () => {
    const items = Array.from({ length: 40 }, (_, index) => `item-${index}`);
    const cut = summaryWithin(items.join(', '), 120);
    expect(cut.length).toBeLessThanOrEqual(120);
    const match = cut.match(/…and (\d+) more — the full list is in the request's thread$/);
    const shown = cut.split(', ').filter((part) => part.startsWith('item-'));
    expect(shown.length + Number(match?.[1])).toBe(items.length);
    expect(shown).toEqual(items.slice(0, shown.length));
  });

  it('counts what escaping adds against the limit', () => {
    const cut = summaryWithin(Array.from({ length: 50 }, () => '&&&&').join('; '), 200);
    expect(cut.length).toBeLessThanOrEqual(200);
    expect(cut).not.toMatch(/&(?!amp;)/);
  });

  it('cuts text without a list by characters, saying where the rest is', () => {
    const cut = summaryWithin('x'.repeat(500), 100);
    expect(cut.length).toBeLessThanOrEqual(100);
    expect(cut).toMatch(/^x+… — the full text is in the request's thread$/);
  });
});

describe('summaryPieces', () => {
  it('keeps every item, in order, in pieces within the limit', () => {
    const items = Array.from({ length: 300 }, (_, index) => `person-${index} <x>`);
    const summary = items.join('; ');
    const pieces = summaryPieces(summary, 500);
    expect(pieces.length).toBeGreaterThan(1);
    for (const piece of pieces) expect(piece.length).toBeLessThanOrEqual(500);
    expect(pieces.join(' ')).toBe(escapeMrkdwn(summary));
  });

  it('splits an item longer than a piece by characters', () => {
    const summary = 'y'.repeat(1200);
    const pieces = summaryPieces(summary, 500);
    expect(pieces.map((piece) => piece.length)).toEqual([500, 500, 200]);
    expect(pieces.join('')).toBe(summary);
  });
});

describe('times in threads', () => {
  it('shows "YYYY-MM-DD HH:MM UTC" as a Slack date in the reader’s zone, as far as the limit allows', () => {
    const text = 'kim holds editor until 2026-12-04 14:08 UTC (grant G1-1)';
    expect(summaryWithin(text, 3000)).toBe(
      `kim holds editor until <!date^${Date.parse('2026-12-04T14:08:00Z') / 1000}^{date_short_pretty} {time}|2026-12-04 14:08 UTC> (grant G1-1)`,
    );
    // No room for the markup: the text stays as it was.
    expect(summaryWithin(text, text.length)).toBe(text);
    expect(withSlackDates('until 2026-13-45 99:99 UTC', 3000)).toBe('until 2026-13-45 99:99 UTC');
  });
});
