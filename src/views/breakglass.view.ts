import type { ModalView, PlainTextOption } from '@slack/types';
import type { DecisionRefusal } from '../auth/approval-policy';
import type { BreakglassRefusal } from '../auth/breakglass-policy';
import { durationLabel } from '../domain/grant';
import type { AccessRequest } from '../domain/request';
import { clip, listWithin } from './fit';
import { code } from './mrkdwn';
import { REASON_IDS, reasonInput } from './reason.view';
import { explainRefusal } from './reasons';

/** Slack ids of the break-glass dialog, in one place for handlers, views and tests. */
export const BREAKGLASS_IDS = {
  callbackId: 'breakglass',
  duration: { block: 'duration', action: 'duration' },
  reason: REASON_IDS.reason,
} as const;

const option = (text: string, value: string): PlainTextOption => ({
  text: { type: 'plain_text', text },
  value,
});

/** `/vams breakglass <role>`: Duration and Reason; granted once announced, reviewed after. */
export function breakglassModal(role: string, durations: readonly number[]): ModalView {
  return {
    type: 'modal',
    callback_id: BREAKGLASS_IDS.callbackId,
    // Only the role: who asks and whether they may are read again on submission.
    private_metadata: role,
    title: { type: 'plain_text', text: 'Break glass' },
    submit: { type: 'plain_text', text: 'Break glass' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: clip(
            `VAMS role ${code(role)} for you, *at once and without an approval*, for an emergency. It is announced in the approvals channel, ends by itself, and an admin reviews it within 24 hours and may revoke it.`,
            3000,
          ),
        },
      },
      {
        type: 'input',
        block_id: BREAKGLASS_IDS.duration.block,
        label: { type: 'plain_text', text: 'Duration' },
        element: {
          type: 'static_select',
          action_id: BREAKGLASS_IDS.duration.action,
          placeholder: { type: 'plain_text', text: 'How long' },
          options: durations.map((minutes) => option(durationLabel(minutes), String(minutes))),
        },
      },
      {
        ...reasonInput(),
        hint: {
          type: 'plain_text',
          text: 'What is broken and why this role: at least 20 characters.',
        },
      },
    ],
  };
}

/** Why someone may not break glass, in words that say what to do. */
export function breakglassRefusalText(refusal: BreakglassRefusal): string {
  switch (refusal.code) {
    case 'off':
      return 'Break-glass is off in this deployment (BREAKGLASS_ALLOWED and BREAKGLASS_ROLES are not set). Ask for a grant with `/vams role request`.';
    case 'not-mapped':
      return `You cannot break glass: ${explainRefusal(refusal.identity.reason, refusal.identity.email)}`;
    case 'not-allowed':
      return `Only holders of ${listWithin(refusal.allowed.map(code), ', ', 1000)} may break glass; you hold none of them. Ask for a grant with \`/vams role request\`.`;
    case 'role-not-offered':
      return `Break-glass does not give ${code(refusal.role)}; it gives ${listWithin(refusal.roles.map(code), ', ', 1000)}. Usage: \`/vams breakglass <role>\`.`;
    case 'already-held':
      return `You hold ${code(refusal.role)} already; there is no glass to break.`;
  }
}

/** What the clicker of `Reviewed` or `Revoke now` reads when the click is refused. */
export function reviewRefusalText(refusal: DecisionRefusal, request: AccessRequest): string {
  switch (refusal.code) {
    case 'not-mapped':
      return `You cannot review break-glass: ${explainRefusal(refusal.identityReason, refusal.email)}`;
    case 'own-request':
      return `You broke the glass of ${request.id} yourself, so another admin has to review it.`;
    case 'not-an-approver':
      return 'Only VAMS admins can review break-glass; you hold no admin role.';
    default:
      return request.review
        ? `${request.id} was already ${request.review.outcome} by <@${request.review.by.slackUserId}>; nothing was changed.`
        : `${request.id} is ${request.status}; it can be reviewed once the grant is given.`;
  }
}
