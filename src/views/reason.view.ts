import type { InputBlock, ModalView } from '@slack/types';
import { code } from './mrkdwn';

export const REASON_IDS = {
  userAccessCallbackId: 'user-access',
  reason: { block: 'reason', action: 'value', maxLength: 1000 },
} as const;

/** The `Reason` field every request dialog ends with. */
export function reasonInput(): InputBlock {
  return {
    type: 'input',
    block_id: REASON_IDS.reason.block,
    label: { type: 'plain_text', text: 'Reason' },
    element: {
      type: 'plain_text_input',
      action_id: REASON_IDS.reason.action,
      multiline: true,
      max_length: REASON_IDS.reason.maxLength,
    },
  };
}

/** A request that needs only a reason: what it will do, and the `Reason` field. */
export function reasonModal(options: {
  callbackId: string;
  title: string;
  submit: string;
  what: string;
  /** Small and not secret: the kind and the user it is about. */
  metadata: string;
}): ModalView {
  return {
    type: 'modal',
    callback_id: options.callbackId,
    private_metadata: options.metadata,
    title: { type: 'plain_text', text: options.title },
    submit: { type: 'plain_text', text: options.submit },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: options.what } }, reasonInput()],
  };
}

export function userAccessWhat(verb: string, userId: string, note: string): string {
  return `${verb} Cognito user ${code(userId)}. ${note} An admin approves it in the approvals channel.`;
}
