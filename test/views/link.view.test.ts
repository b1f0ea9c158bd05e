import type { RequestOf } from '../../src/domain/request';
import { checkMessage, checkView } from '../../src/views/block-kit-limits';
import { linkModal, unlinkedDm, unlinkedReply } from '../../src/views/link.view';
import { sectionMessage } from '../../src/views/message';
import { requestCard } from '../../src/views/request-card.view';
import { whoamiMessage } from '../../src/views/whoami.view';

const LONGEST_USER_ID = `${'u'.repeat(244)}@example.com`;

function linkRequest(vamsUserId: string): RequestOf<'link'> {
  return {
    id: 'R0LINK001',
    kind: 'link',
    params: { slackUserId: 'U0NOMAIL', vamsUserId },
    reason: 'r'.repeat(1000),
    requester: { slackUserId: 'U0ADA', vamsUserId: 'ada@example.com' },
    subject: vamsUserId,
    subjectSlackUserIds: ['U0NOMAIL'],
    privileged: ['admin'],
    status: 'pending',
    approvals: [],
    requiredApprovals: 1,
    preflight: [
      { check: 'vams-user', ok: true, detail: `VAMS user ${vamsUserId} exists (roles: admin)` },
    ],
    card: { channel: 'C0APPROVALS', ts: '1700000000.000100' },
    createdAt: '2026-11-24T10:00:00.000Z',
    expiresAt: '2026-11-25T10:00:00.000Z',
    steps: [],
    version: 2,
  };
}

describe('link views', () => {
  it('the Reason dialog stays within Slack’s limits for the longest VAMS user ID', () => {
    const modal = linkModal('U0NOMAIL', LONGEST_USER_ID);
    expect(checkView(modal)).toEqual([]);
    expect(JSON.stringify(modal.blocks)).toContain('<@U0NOMAIL>');
    expect(modal.private_metadata).toBe(
      JSON.stringify({ slackUserId: 'U0NOMAIL', vamsUserId: LONGEST_USER_ID }),
    );
  });

  it('the card names the Slack user as a mention and the VAMS user as code, within limits', () => {
    const card = requestCard(linkRequest(LONGEST_USER_ID));
    expect(checkMessage(card)).toEqual([]);
    const shown = JSON.stringify(card.blocks);
    expect(shown).toContain('*Slack user*\\n<@U0NOMAIL>');
    expect(shown).toContain('*VAMS user*\\n`');
  });

  it('the unlink DM and replies are valid messages', () => {
    expect(checkMessage(unlinkedDm(LONGEST_USER_ID, 'U0ADA'))).toEqual([]);
    for (const told of ['self', 'told', 'not-told'] as const) {
      expect(checkMessage(sectionMessage(unlinkedReply('U0X', LONGEST_USER_ID, told)))).toEqual([]);
    }
  });

  it('whoami shows who made a link, when and by which request', () => {
    const message = whoamiMessage(
      {
        mapped: true,
        slackUserId: 'U0NOMAIL',
        vamsUserId: 'ops-lead',
        source: 'link',
        link: {
          vamsUserId: 'ops-lead',
          linkedBy: 'U0ADA',
          linkedAt: '2026-11-24T10:00:00.000Z',
          requestId: 'R0LINK001',
        },
        email: undefined,
        roles: ['admin'],
      },
      { isAdmin: true, isManager: false },
    );
    expect(checkMessage(message)).toEqual([]);
    expect(JSON.stringify(message.blocks)).toContain(
      '*Matched by:* a link made by <@U0ADA> on <!date^1795514400^{date_short_pretty} {time}|2026-11-24 10:00 UTC> (`R0LINK001`)',
    );
  });
});
