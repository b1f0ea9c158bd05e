import type { KnownBlock } from '@slack/types';
import type { DecisionRefusal } from '../auth/approval-policy';
import type { AccessRequest } from '../domain/request';
import { definitionOf } from '../kinds/registry';
import type { TemporaryPasswordDelivery } from '../workflow/password-courier';
import type { StepState } from '../workflow/workflow';
import { BLOCK_KIT_LIMITS } from './block-kit-limits';
import { clip } from './fit';
import { type MessageBody, sectionMessage } from './message';
import { code, escapeMrkdwn, withSlackDates } from './mrkdwn';
import { explainRefusal } from './reasons';
import { kindInSentence, kindTitle } from './request-card.view';
import { summaryPieces, summaryWithin } from './summary';

const MARKS: Record<StepState['state'], string> = {
  waiting: ':white_circle:',
  running: ':arrows_counterclockwise:',
  done: ':white_check_mark:',
  failed: ':x:',
};

const DETAIL_LIMIT = 300;
const SLACK_USER_ID = /^[UW][A-Z0-9]{2,}$/;

// Mentions come only from the Slack ids a step recorded as such (who got a DM). Text is escaped
// and never read for ids: a key name or an error saying "DM to U0…" pings nobody.
function detailText(step: StepState): string {
  if (!step.detailParts) {
    return withSlackDates(escapeMrkdwn(clip(step.detail ?? '', DETAIL_LIMIT)), DETAIL_LIMIT * 2);
  }
  let room = DETAIL_LIMIT;
  const shown: string[] = [];
  for (const part of step.detailParts) {
    if (room <= 0) break;
    if ('slackUserId' in part && SLACK_USER_ID.test(part.slackUserId)) {
      shown.push(`<@${part.slackUserId}>`);
      room -= part.slackUserId.length;
      continue;
    }
    const text = 'text' in part ? part.text : part.slackUserId;
    shown.push(withSlackDates(escapeMrkdwn(clip(text, room)), DETAIL_LIMIT));
    room -= text.length;
  }
  return shown.join('');
}

/** One message in the card's thread, updated as each step completes. */
function stepLine(step: StepState): string {
  const detail = step.detail || step.detailParts ? ` — ${detailText(step)}` : '';
  return `${MARKS[step.state]} ${escapeMrkdwn(step.label)}${detail}`;
}

// A section holds 3000 characters: with many steps, finished ones fold into one line so that
// what is running, failed or still to come stays visible.
const PROGRESS_LIMIT = 2900;

export function progressMessage(request: AccessRequest, steps: readonly StepState[]): MessageBody {
  const title = `*${kindTitle(request.kind)} ${request.id}: progress*`;
  let lines = steps.map(stepLine);
  if ([title, ...lines].join('\n').length > PROGRESS_LIMIT) {
    const done = steps.filter((step) => step.state === 'done').length;
    const running = steps.find((step) => step.state === 'running');
    const now = running ? `; now ${escapeMrkdwn(clip(running.label, 200))}` : '';
    lines = [
      `${MARKS.done} ${done} of ${steps.length} steps done${now}`,
      ...steps.filter((step) => step.state !== 'done').map(stepLine),
    ];
  }
  const text = clip([title, ...lines].join('\n'), PROGRESS_LIMIT);
  return {
    text: `${request.id} progress`,
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }],
  };
}

// The thread is where the whole summary is kept. A section holds 3000 characters and a message
// about 12000 of serialized blocks, so a long summary goes on over several sections and, past
// that, several replies.
const RESULT_SECTION_CHARS = 2900;
const RESULT_MESSAGE_CHARS = BLOCK_KIT_LIMITS.messageSerializedBlocksChars - 500;

/** The request's result in its thread: the whole summary, in as many replies as it needs. */
export function resultMessages(request: AccessRequest, summary: string): MessageBody[] {
  const mark = request.status === 'succeeded' ? ':white_check_mark:' : ':x:';
  const section = (text: string): KnownBlock => ({
    type: 'section',
    text: { type: 'mrkdwn', text },
  });
  const texts = summaryPieces(summary, RESULT_SECTION_CHARS).map((piece, index) =>
    index === 0 ? `${mark} ${piece}` : piece,
  );
  const groups: string[][] = [];
  for (const text of texts) {
    const current = groups.at(-1);
    if (current && JSON.stringify([...current, text].map(section)).length <= RESULT_MESSAGE_CHARS)
      current.push(text);
    else groups.push([text]);
  }
  return groups.map((group) => ({ text: group.join('\n'), blocks: group.map(section) }));
}

export function requesterOutcomeDm(
  request: AccessRequest,
  summary: string,
  link: string | undefined,
): MessageBody {
  const opening = `Your ${kindInSentence(request.kind)} request *${request.id}*: `;
  const where = link ? ` <${link}|See the request>.` : '';
  const room = BLOCK_KIT_LIMITS.sectionTextChars - opening.length - where.length;
  return sectionMessage(`${opening}${summaryWithin(summary, room)}${where}`);
}

export function requestSubmittedDm(request: AccessRequest, link: string | undefined): MessageBody {
  const where = link ? ` <${link}|View the card>.` : '';
  if (request.requiredApprovals === 0) {
    return sectionMessage(
      `Your ${kindInSentence(request.kind)} request *${request.id}* is announced in <#${request.card?.channel ?? ''}> and is being granted now, without an approval.${where} An admin reviews it within 24 hours and may revoke it.`,
    );
  }
  return sectionMessage(
    `Your ${kindInSentence(request.kind)} request *${request.id}* for ${code(request.subject)} is waiting for approval in <#${request.card?.channel ?? ''}>.${where} It expires if nobody decides within the time shown on the card.`,
  );
}

export function temporaryPasswordDm({
  userId,
  password,
  validDays,
  occasion,
}: Omit<TemporaryPasswordDelivery, 'slackUserId' | 'requestId'>): MessageBody {
  const opening =
    occasion === 'welcome'
      ? `Welcome to VAMS. Your user ID is ${code(userId)}`
      : `Your VAMS password was reset. Your user ID is ${code(userId)}`;
  // The password's symbols include & < >: unescaped, Slack would read `<…>` as a link even in code.
  const text = `${opening} and your temporary password is ${code(password)}. Sign in to VAMS within ${validDays} days; you will be asked to choose a new password. This message is the only copy.`;
  // The notification text leaves the password out: it shows on lock screens and in previews.
  return {
    text: `${opening}; your temporary password is in this message.`,
    blocks: sectionMessage(text).blocks,
  };
}

/** What the clicker reads when a click is refused; nothing changed. */
export function explainDecisionRefusal(refusal: DecisionRefusal, request: AccessRequest): string {
  switch (refusal.code) {
    case 'not-mapped':
      return `You cannot decide requests: ${explainRefusal(refusal.identityReason, refusal.email)}`;
    case 'not-an-approver':
      return definitionOf(request.kind).approval.managers
        ? `Only VAMS admins and managers can decide ${kindInSentence(request.kind)} requests; you hold neither role.`
        : 'Only VAMS admins can decide this request; you hold no admin role.';
    case 'managers-cannot-approve-kind':
      return 'Managers may decide onboarding requests only; this one needs a VAMS admin.';
    case 'privileged-needs-admin':
      return `${request.id} is privileged: it grants ${refusal.roles.map(code).join(', ')}, so only VAMS admins can decide it.`;
    case 'manager-cannot-grant':
      return `Managers may not approve giving ${refusal.roles.map(code).join(', ')}; a VAMS admin has to decide ${request.id}.`;
    case 'own-request':
      return 'You asked for this request, so someone else has to decide it.';
    case 'about-you':
      return 'This request is about you, so someone else has to decide it.';
    case 'already-approved':
      return `You already approved ${request.id}; it needs another approver.`;
    case 'expired':
      return `${request.id} has expired; ask for it again if it is still needed.`;
    case 'not-pending':
      return `${request.id} is already ${refusal.status}; nothing was changed.`;
    case 'not-retryable':
      return `${request.id} is ${refusal.status}; only a request that failed while running can be retried.`;
    case 'not-posted-yet':
      return `${request.id} is still being posted; try again in a moment.`;
    case 'not-the-requester':
      return `Only <@${request.requester.slackUserId}>, who asked for ${request.id}, can cancel it.`;
  }
}

/** A later word about a request in its thread: a grant it gave ended or was given back. */
export function afterwordMessage(text: string): MessageBody {
  return sectionMessage(summaryWithin(text, BLOCK_KIT_LIMITS.sectionTextChars));
}

/** The same word by DM, with the way to the request's thread. */
export function afterwordDm(text: string, link: string | undefined): MessageBody {
  const where = link ? ` <${link}|See the request>.` : '';
  return sectionMessage(
    `${summaryWithin(text, BLOCK_KIT_LIMITS.sectionTextChars - where.length)}${where}`,
  );
}
