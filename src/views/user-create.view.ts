import type { KnownBlock, ModalView } from '@slack/types';
import { REASON_IDS, reasonInput } from './reason.view';

/** Slack ids of the onboarding modal, in one place for the handler, the view and tests. */
export const USER_CREATE_IDS = {
  callbackId: 'user-create',
  userId: { block: 'user_id', action: 'value', maxLength: 256 },
  // Slack's email input takes no max_length; 254 is the longest address mail can carry.
  email: { block: 'email', action: 'value', maxLength: 254 },
  phone: { block: 'phone', action: 'value', maxLength: 16 },
  roles: { block: 'roles', action: 'roles' },
  reason: REASON_IDS.reason,
} as const;

const ids = USER_CREATE_IDS;

export function userCreateModal(): ModalView {
  const blocks: KnownBlock[] = [
    {
      type: 'input',
      block_id: ids.userId.block,
      label: { type: 'plain_text', text: 'User ID' },
      hint: {
        type: 'plain_text',
        text: 'The VAMS user ID (Cognito username): 3–256 letters, digits or _ - . + @. Often the email.',
      },
      element: {
        type: 'plain_text_input',
        action_id: ids.userId.action,
        max_length: ids.userId.maxLength,
      },
    },
    {
      type: 'input',
      block_id: ids.email.block,
      label: { type: 'plain_text', text: 'Email' },
      element: { type: 'email_text_input', action_id: ids.email.action },
    },
    {
      type: 'input',
      block_id: ids.phone.block,
      optional: true,
      label: { type: 'plain_text', text: 'Phone number' },
      hint: { type: 'plain_text', text: 'E.164, e.g. +14155550123' },
      element: {
        type: 'plain_text_input',
        action_id: ids.phone.action,
        max_length: ids.phone.maxLength,
      },
    },
    {
      type: 'input',
      block_id: ids.roles.block,
      label: { type: 'plain_text', text: 'Roles' },
      hint: { type: 'plain_text', text: 'VAMS roles to assign; type to search.' },
      // External: the roles table can hold more than the 100 options a static select allows.
      element: {
        type: 'multi_external_select',
        action_id: ids.roles.action,
        min_query_length: 0,
        placeholder: { type: 'plain_text', text: 'Choose roles' },
      },
    },
    reasonInput(),
  ];
  return {
    type: 'modal',
    callback_id: ids.callbackId,
    title: { type: 'plain_text', text: 'Onboard a VAMS user' },
    submit: { type: 'plain_text', text: 'Request' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks,
  };
}

export function noticeModal(title: string, text: string): ModalView {
  return {
    type: 'modal',
    title: { type: 'plain_text', text: title },
    close: { type: 'plain_text', text: 'Close' },
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }],
  };
}
