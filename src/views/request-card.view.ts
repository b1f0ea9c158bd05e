import type { KnownBlock, ModalView } from '@slack/types';
import {
  type AccessRequest,
  awaitsReview,
  REVIEW_WINDOW_MS,
  type RequestKind,
} from '../domain/request';
import { definitionOf, subjectsOf } from '../kinds/registry';
import { actionsBlock, type ButtonSpec } from './buttons';
import { clip } from './fit';
import { type Mention, mentionsText } from './mention';
import type { MessageBody } from './message';
import { code, escapeMrkdwn, slackDate } from './mrkdwn';
import { summaryWithin } from './summary';

/** Slack ids of request cards and the reject dialog. */
export const REQUEST_IDS = {
  approve: 'request.approve',
  reject: 'request.reject',
  cancel: 'request.cancel',
  retry: 'request.retry',
  reviewed: 'request.reviewed',
  revokeNow: 'request.revoke-now',
  rejectCallbackId: 'request-reject',
  rejectComment: { block: 'comment', action: 'value', maxLength: 500 },
} as const;

export function kindTitle(kind: RequestKind): string {
  return definitionOf(kind).title;
}

/** The kind inside a sentence: "your password reset request", "your API key request". */
export function kindInSentence(kind: RequestKind): string {
  return kindTitle(kind).replace(/^[A-Z][a-z]/, (start) => start.toLowerCase());
}

function names(people: readonly { slackUserId: string }[]): string {
  return people.map((person) => `<@${person.slackUserId}>`).join(', ');
}

export function tally(request: AccessRequest): string {
  const approvals = `${request.approvals.length} of ${request.requiredApprovals} approval${request.requiredApprovals === 1 ? '' : 's'}`;
  return request.approvals.length > 0 ? `${approvals} (${names(request.approvals)})` : approvals;
}

const DROPPED_BECAUSE: Record<string, string> = {
  'not-an-approver': 'they no longer hold an approver role',
  'managers-cannot-approve-kind': 'they no longer hold an admin role',
  'privileged-needs-admin': 'they no longer hold an admin role',
  'manager-cannot-grant': 'they no longer hold an admin role',
  'about-you': 'the request is about them',
  'own-request': 'they asked for it',
};

/** What the approvers must know before they decide, beyond the pre-flight checks. */
function cautions(request: AccessRequest): string[] {
  const lines: string[] = [];
  const privileged = request.privileged ?? [];
  if (privileged.length > 0) {
    lines.push(
      `:rotating_light: *Privileged:* grants ${privileged.map(code).join(', ')} — only VAMS admins may approve, ${request.requiredApprovals} needed`,
    );
  }
  // VAMS user IDs are case-sensitive: these are two different people who look alike.
  const requester = request.requester.vamsUserId;
  for (const subject of new Set(subjectsOf(request))) {
    if (subject !== requester && subject.toLowerCase() === requester.toLowerCase()) {
      lines.push(
        `:warning: ${code(subject)} differs from the requester ${code(requester)} only in case: they are different VAMS users`,
      );
    }
  }
  if (request.status === 'pending') {
    for (const approval of request.droppedApprovals ?? []) {
      const because = DROPPED_BECAUSE[approval.code] ?? 'they may no longer approve it';
      lines.push(
        `:warning: The approval of <@${approval.slackUserId}> no longer counts: ${because}. Waiting for another approver.`,
      );
    }
  }
  return lines;
}

/** A break-glass grant: given without approval, then reviewed. */
function breakglassLine(request: AccessRequest): string {
  const review = request.review
    ? request.review.outcome === 'reviewed'
      ? ` Reviewed by <@${request.review.by.slackUserId}> ${slackDate(request.review.at)}.`
      : ` Revoked on review by <@${request.review.by.slackUserId}> ${slackDate(request.review.at)}.`
    : ` :eyes: Awaiting review by an admin other than <@${request.requester.slackUserId}>, by ${slackDate(new Date(Date.parse(request.createdAt) + REVIEW_WINDOW_MS).toISOString())}.`;
  switch (request.status) {
    case 'pending':
      return ':rotating_light: Break glass: being announced, then granted without approval.';
    case 'approved':
    case 'executing':
      return `:rotating_light: Break glass: granted without approval — running.${review}`;
    case 'succeeded':
      return `:rotating_light: Break glass: granted without approval.${review}`;
    case 'failed':
      return `:x: Break glass failed. ${summaryWithin(request.failure ?? '', 1500)}${review}`;
    default:
      return `:rotating_light: Break glass: ${request.status}.`;
  }
}

function statusLine(request: AccessRequest): string {
  if (request.requiredApprovals === 0) return breakglassLine(request);
  const decidedBy = request.decision ? `<@${request.decision.by.slackUserId}>` : 'someone';
  switch (request.status) {
    case 'pending':
      return `:hourglass_flowing_sand: Waiting for approval — ${tally(request)}`;
    case 'approved':
    case 'executing':
      return `:gear: Approved by ${names(request.approvals)} — running`;
    case 'succeeded':
      return `:white_check_mark: Done — approved by ${names(request.approvals)}`;
    case 'failed':
      return `:x: Failed — approved by ${names(request.approvals)}. ${summaryWithin(request.failure ?? '', 2000)}`;
    case 'rejected': {
      const comment = request.decision?.comment
        ? `: “${escapeMrkdwn(request.decision.comment)}”`
        : '';
      return `:no_entry: Rejected by ${decidedBy}${comment}`;
    }
    case 'expired':
      return ':hourglass: Expired — nobody decided in time';
    case 'cancelled':
      return `:leftwards_arrow_with_hook: Cancelled by ${decidedBy}`;
  }
}

/** The buttons that decide a request, wherever it is shown; `which` picks those that apply. */
export function requestButtons(
  request: AccessRequest,
  which: readonly ('approve' | 'reject' | 'cancel' | 'retry' | 'reviewed' | 'revokeNow')[],
): ButtonSpec[] {
  const all = {
    reviewed: { text: 'Reviewed', actionId: REQUEST_IDS.reviewed, style: 'primary' as const },
    revokeNow: { text: 'Revoke now', actionId: REQUEST_IDS.revokeNow, style: 'danger' as const },
    approve: { text: 'Approve', actionId: REQUEST_IDS.approve, style: 'primary' as const },
    reject: { text: 'Reject', actionId: REQUEST_IDS.reject, style: 'danger' as const },
    cancel: { text: 'Cancel request', actionId: REQUEST_IDS.cancel },
    retry: { text: 'Retry', actionId: REQUEST_IDS.retry, style: 'primary' as const },
  };
  return which.map((name) => ({ ...all[name], value: request.id }));
}

/** The card in the approvals channel: what, who, why, checks, expiry, tally; buttons while pending. */
export function requestCard(
  request: AccessRequest,
  mentions: readonly Mention[] = [],
): MessageBody {
  const title = `${kindTitle(request.kind)} request ${request.id}`;
  const preflight = request.preflight.map(
    (result) => `${result.ok ? ':white_check_mark:' : ':warning:'} ${escapeMrkdwn(result.detail)}`,
  );
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: title } },
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: clip(
          `*Requested by* <@${request.requester.slackUserId}> (${code(request.requester.vamsUserId)})\n*Reason:* ${escapeMrkdwn(request.reason)}`,
          3000,
        ),
      },
    },
    {
      type: 'section',
      fields: definitionOf(request.kind)
        .cardFields(request)
        .map((text) => ({ type: 'mrkdwn', text })),
    },
    {
      type: 'section',
      text: { type: 'mrkdwn', text: clip(`*Pre-flight*\n${preflight.join('\n') || '—'}`, 3000) },
    },
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: clip([...cautions(request), statusLine(request)].join('\n'), 3000),
      },
    },
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text:
            request.status === 'pending'
              ? `Expires ${slackDate(request.expiresAt)} · ${request.id}${mentions.length > 0 ? ` · for ${mentionsText(mentions)}` : ''}`
              : `Requested ${slackDate(request.createdAt)} · ${request.id}`,
        },
      ],
    },
  ];
  // Break-glass is reviewed once it was granted (or failed to be).
  const given = request.status === 'succeeded' || request.status === 'failed';
  if (awaitsReview(request) && given) {
    blocks.push(
      actionsBlock(`review:${request.id}`, requestButtons(request, ['reviewed', 'revokeNow'])),
    );
  }
  if (request.status === 'pending' && request.requiredApprovals > 0) {
    const decide = requestButtons(request, ['approve', 'reject', 'cancel']);
    blocks.push(actionsBlock(`decide:${request.id}`, decide));
  }
  // A request that failed while running can resume where it stopped.
  const reviewed = request.requiredApprovals === 0 && request.review !== undefined;
  if (
    request.status === 'failed' &&
    request.approvals.length >= request.requiredApprovals &&
    !reviewed
  ) {
    blocks.push(actionsBlock(`retry:${request.id}`, requestButtons(request, ['retry'])));
  }
  // Mentions in the notification text notify once, when the card is posted; redrawing it does not.
  const calling =
    request.status === 'pending' && mentions.length > 0 ? `${mentionsText(mentions)} ` : '';
  // Break-glass is announced: said so first in the notification.
  const announced = request.requiredApprovals === 0 ? ':rotating_light: ' : '';
  return {
    text: `${calling}${announced}${title} for ${request.subject} by <@${request.requester.slackUserId}>: ${request.status}`,
    blocks,
  };
}

export function rejectModal(request: AccessRequest): ModalView {
  return {
    type: 'modal',
    callback_id: REQUEST_IDS.rejectCallbackId,
    // Only the id: the request itself is read again when the dialog is submitted.
    private_metadata: request.id,
    title: { type: 'plain_text', text: 'Reject request' },
    submit: { type: 'plain_text', text: 'Reject' },
    close: { type: 'plain_text', text: 'Back' },
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `Reject ${kindInSentence(request.kind)} request *${request.id}* for ${code(request.subject)}?`,
        },
      },
      {
        type: 'input',
        block_id: REQUEST_IDS.rejectComment.block,
        optional: true,
        label: { type: 'plain_text', text: 'Comment' },
        element: {
          type: 'plain_text_input',
          action_id: REQUEST_IDS.rejectComment.action,
          multiline: true,
          max_length: REQUEST_IDS.rejectComment.maxLength,
        },
      },
    ],
  };
}
