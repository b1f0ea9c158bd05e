import type { KnownBlock } from '@slack/types';
import type { AccessRequest } from '../domain/request';
import { actionsBlock } from './buttons';
import type { MessageBody } from './message';
import { code, escapeMrkdwn, slackDate } from './mrkdwn';
import { kindTitle, requestButtons, tally } from './request-card.view';

// Each listed request takes two blocks; Slack allows 50 in a message.
const MAX_LISTED = 20;

function summary(request: AccessRequest): string {
  return `*${request.id}* · ${kindTitle(request.kind)} of ${code(request.subject)} · by <@${request.requester.slackUserId}> · ${request.status} · ${tally(request)}\n_${escapeMrkdwn(request.reason.slice(0, 200))}_ · expires ${slackDate(request.expiresAt)}`;
}

function entry(request: AccessRequest, buttons: 'decide' | 'cancel' | 'none'): KnownBlock[] {
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: summary(request) } },
  ];
  if (buttons === 'decide') {
    const decide = requestButtons(request, ['approve', 'reject']);
    blocks.push(actionsBlock(`list-decide:${request.id}`, decide));
  }
  if (buttons === 'cancel') {
    blocks.push(actionsBlock(`list-cancel:${request.id}`, requestButtons(request, ['cancel'])));
  }
  return blocks;
}

/** `/vams requests`: what you can decide, then what you asked for that is still open. */
export function requestsListMessage(
  decidable: AccessRequest[],
  own: AccessRequest[],
  notice?: string,
): MessageBody {
  const blocks: KnownBlock[] = [];
  if (notice) {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: `:information_source: ${escapeMrkdwn(notice)}` },
    });
  }
  const shownDecidable = decidable.slice(0, MAX_LISTED / 2);
  const shownOwn = own.slice(0, MAX_LISTED / 2);
  blocks.push({ type: 'header', text: { type: 'plain_text', text: 'Waiting for your decision' } });
  if (shownDecidable.length === 0) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: 'Nothing is waiting for you.' } });
  }
  for (const request of shownDecidable) blocks.push(...entry(request, 'decide'));
  if (decidable.length > shownDecidable.length) {
    blocks.push({
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `…and ${decidable.length - shownDecidable.length} more in the approvals channel.`,
        },
      ],
    });
  }
  blocks.push({ type: 'header', text: { type: 'plain_text', text: 'Your open requests' } });
  if (shownOwn.length === 0) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: 'You have no open requests.' } });
  }
  for (const request of shownOwn)
    blocks.push(...entry(request, request.status === 'pending' ? 'cancel' : 'none'));
  if (own.length > shownOwn.length) {
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `…and ${own.length - shownOwn.length} more.` }],
    });
  }
  return {
    // The answer to a click on the list is what the notification says.
    text:
      notice ??
      `${decidable.length} request(s) waiting for your decision; ${own.length} open request(s) of yours.`,
    blocks,
  };
}
