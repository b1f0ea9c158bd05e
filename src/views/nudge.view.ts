import { type AccessRequest, awaitsReview, REVIEW_WINDOW_MS } from '../domain/request';
import { type Mention, mentionsText } from './mention';
import { type MessageBody, sectionMessage } from './message';
import { code, slackDate } from './mrkdwn';
import { kindTitle } from './request-card.view';

function waited(request: AccessRequest, now: Date): string {
  const minutes = Math.max(1, Math.round((now.getTime() - Date.parse(request.createdAt)) / 60_000));
  if (minutes < 120) return `${minutes} minute${minutes === 1 ? '' : 's'}`;
  const hours = Math.round(minutes / 60);
  return `${hours} hours`;
}

function reviewDue(request: AccessRequest): string {
  return new Date(Date.parse(request.createdAt) + REVIEW_WINDOW_MS).toISOString();
}

function tallyText(request: AccessRequest): string {
  return `${request.approvals.length} of ${request.requiredApprovals} approval${request.requiredApprovals === 1 ? '' : 's'} so far`;
}

/** In the card's thread: the approvers are reminded that the request waits for them. */
export function reminderMessage(
  request: AccessRequest,
  reminder: number,
  mentions: readonly Mention[],
  now: Date,
): MessageBody {
  const who = mentions.length > 0 ? `${mentionsText(mentions)} ` : '';
  if (awaitsReview(request)) {
    return sectionMessage(
      `:alarm_clock: ${who}Break-glass *${request.id}* of <@${request.requester.slackUserId}> (${code(request.subject)}) has waited ${waited(request, now)} for its review: an admin other than them clicks \`Reviewed\` or \`Revoke now\` on the card. Due ${slackDate(reviewDue(request))}. Reminder ${reminder}.`,
    );
  }
  return sectionMessage(
    `:alarm_clock: ${who}${kindTitle(request.kind)} request *${request.id}* for ${code(request.subject)} has waited ${waited(request, now)} for a decision (${tallyText(request)}). It expires ${slackDate(request.expiresAt)}. Reminder ${reminder}.`,
  );
}

/** In the escalation channel: a request still undecided past half its time, with its card. */
export function escalationMessage(
  request: AccessRequest,
  link: string | undefined,
  mentions: readonly Mention[],
  now: Date,
): MessageBody {
  const who = mentions.length > 0 ? ` ${mentionsText(mentions)}` : '';
  const card = link ? ` <${link}|Open the card>.` : '';
  if (awaitsReview(request)) {
    return sectionMessage(
      `:rotating_light: Not reviewed for ${waited(request, now)}: break-glass *${request.id}* by <@${request.requester.slackUserId}> (${code(request.subject)}), due for review ${slackDate(reviewDue(request))}.${card}${who}`,
    );
  }
  return sectionMessage(
    `:rotating_light: Undecided for ${waited(request, now)}: ${kindTitle(request.kind)} request *${request.id}* for ${code(request.subject)} by <@${request.requester.slackUserId}> (${tallyText(request)}) expires ${slackDate(request.expiresAt)}.${card}${who}`,
  );
}
