import type { KnownBlock, ModalView } from '@slack/types';
import { code } from './mrkdwn';
import { REASON_IDS, reasonInput } from './reason.view';
import { USER_CREATE_IDS } from './user-create.view';

/** Slack ids of the `/vams user update` modal, for the handler, the view and tests. */
export const USER_UPDATE_IDS = {
  callbackId: 'user-update',
  email: USER_CREATE_IDS.email,
  // Room for the spaces, brackets and dashes people type; they are dropped.
  phone: { block: 'phone', action: 'value', maxLength: 24 },
  removePhone: { block: 'remove_phone', action: 'value' },
  reason: REASON_IDS.reason,
  /** The `Update` button of `/vams user show`. */
  showButton: 'user-show-update',
} as const;

export const USER_UPDATE_TITLE = 'Update a user';
export const REMOVE_PHONE_VALUE = 'remove';

const ids = USER_UPDATE_IDS;

/** Shown while the user's current values are read: the trigger lives 3 s, Cognito may not. */
export function userUpdateLoadingModal(userId: string): ModalView {
  return {
    type: 'modal',
    title: { type: 'plain_text', text: USER_UPDATE_TITLE },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'section',
        text: { type: 'mrkdwn', text: `Loading… reading Cognito user ${code(userId)}.` },
      },
    ],
  };
}

export interface UserUpdateModel {
  userId: string;
  email: string | undefined;
  phone: string | undefined;
}

/** The form, filled with the user's current email and phone. */
export function userUpdateModal(model: UserUpdateModel): ModalView {
  const phoneHint = model.phone
    ? 'E.164, e.g. +14155550123. Left empty, the current number stays; to remove it, tick “Remove the phone number” below.'
    : 'E.164, e.g. +14155550123. Left empty, the user still has no phone number.';
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `Change the contact details of Cognito user ${code(model.userId)}. Only what you change is sent, and new values are marked verified. An admin approves it in the approvals channel.`,
      },
    },
    {
      type: 'input',
      block_id: ids.email.block,
      // A user without an email may get one, or keep having none.
      optional: model.email === undefined,
      label: { type: 'plain_text', text: 'Email' },
      element: {
        type: 'email_text_input',
        action_id: ids.email.action,
        ...(model.email !== undefined ? { initial_value: model.email } : {}),
      },
    },
    {
      type: 'input',
      block_id: ids.phone.block,
      optional: true,
      label: { type: 'plain_text', text: 'Phone number' },
      hint: { type: 'plain_text', text: phoneHint },
      element: {
        type: 'plain_text_input',
        action_id: ids.phone.action,
        max_length: ids.phone.maxLength,
        ...(model.phone !== undefined ? { initial_value: model.phone } : {}),
      },
    },
  ];
  // Clearing the phone is a choice of its own, never what an emptied field means.
  if (model.phone !== undefined) {
    blocks.push({
      type: 'input',
      block_id: ids.removePhone.block,
      optional: true,
      label: { type: 'plain_text', text: 'Phone removal' },
      element: {
        type: 'checkboxes',
        action_id: ids.removePhone.action,
        options: [
          {
            text: { type: 'plain_text', text: 'Remove the phone number' },
            value: REMOVE_PHONE_VALUE,
          },
        ],
      },
    });
  }
  blocks.push(reasonInput());
  return {
    type: 'modal',
    callback_id: ids.callbackId,
    // Only the User ID: the user's values are read again when the form is submitted.
    private_metadata: model.userId,
    title: { type: 'plain_text', text: USER_UPDATE_TITLE },
    submit: { type: 'plain_text', text: 'Request' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks,
  };
}
