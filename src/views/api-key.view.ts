import type { KnownBlock, ModalView } from '@slack/types';
import type { ApiKeyMetadata } from '../domain/api-key';
import type { ApiKeyDelivery } from '../kinds/api-key/steps';
import { API_KEY_DESCRIPTION_MAX, API_KEY_NAME_MAX, zonedInstant } from '../vams/api-key-format';
import { actionsBlock, type ButtonSpec } from './buttons';
import { clip, listWithin } from './fit';
import { type MessageBody, sectionMessage } from './message';
import { code, escapeMrkdwn, slackDate } from './mrkdwn';
import { REASON_IDS, reasonInput, reasonModal } from './reason.view';

export const API_KEY_IDS = {
  requestCallbackId: 'key-request',
  rotateCallbackId: 'key-rotate',
  rotateButton: 'key.rotate',
  revokeButton: 'key.revoke',
  deleteButton: 'key.delete',
  updateCallbackId: 'key-update',
  allNextButton: 'key.list-all.next',
  reactivateCallbackId: 'key-reactivate',
  name: { block: 'name', action: 'value', maxLength: API_KEY_NAME_MAX },
  description: { block: 'description', action: 'value', maxLength: API_KEY_DESCRIPTION_MAX },
  expires: { block: 'expires', action: 'date' },
  reason: REASON_IDS.reason,
} as const;

/** How VAMS accepts a key, told once next to the value. */
const USAGE_NOTE =
  'Send it as the `Authorization` header of VAMS API calls: `Authorization: vams_…` (or `Bearer vams_…`).';

export function apiKeyModal(options: {
  title: string;
  what: string;
  /** The owner's VAMS user id for `key create`; '' for your own key. Not secret. */
  metadata: string;
  defaultDate: string;
}): ModalView {
  return {
    type: 'modal',
    callback_id: API_KEY_IDS.requestCallbackId,
    private_metadata: options.metadata,
    title: { type: 'plain_text', text: options.title },
    submit: { type: 'plain_text', text: 'Request' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: options.what } },
      {
        type: 'input',
        block_id: API_KEY_IDS.name.block,
        label: { type: 'plain_text', text: 'Name' },
        hint: { type: 'plain_text', text: 'Unique across VAMS; it cannot be changed later.' },
        element: {
          type: 'plain_text_input',
          action_id: API_KEY_IDS.name.action,
          max_length: API_KEY_IDS.name.maxLength,
        },
      },
      {
        type: 'input',
        block_id: API_KEY_IDS.description.block,
        label: { type: 'plain_text', text: 'Description' },
        element: {
          type: 'plain_text_input',
          action_id: API_KEY_IDS.description.action,
          multiline: true,
          max_length: API_KEY_IDS.description.maxLength,
        },
      },
      {
        type: 'input',
        block_id: API_KEY_IDS.expires.block,
        label: { type: 'plain_text', text: 'Expires' },
        hint: { type: 'plain_text', text: 'The key stops working at the end of this day (UTC).' },
        element: {
          type: 'datepicker',
          action_id: API_KEY_IDS.expires.action,
          initial_date: options.defaultDate,
        },
      },
      reasonInput(),
    ],
  };
}

/** `/vams key update`: Description and Expires as they are now, and Reason. */
export function keyUpdateModal(key: ApiKeyMetadata, expiresOn: string | undefined): ModalView {
  return {
    type: 'modal',
    callback_id: API_KEY_IDS.updateCallbackId,
    // Only the id: the key is read again when the dialog is submitted.
    private_metadata: key.apiKeyId,
    title: { type: 'plain_text', text: 'Update an API key' },
    submit: { type: 'plain_text', text: 'Update' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `API key ${code(key.name)} of ${code(key.userId)}. A new description or an earlier expiry applies at once; a later expiry is a request an admin approves.`,
        },
      },
      {
        type: 'input',
        block_id: API_KEY_IDS.description.block,
        label: { type: 'plain_text', text: 'Description' },
        element: {
          type: 'plain_text_input',
          action_id: API_KEY_IDS.description.action,
          multiline: true,
          max_length: API_KEY_IDS.description.maxLength,
          ...(key.description ? { initial_value: key.description } : {}),
        },
      },
      {
        type: 'input',
        block_id: API_KEY_IDS.expires.block,
        label: { type: 'plain_text', text: 'Expires' },
        hint: {
          type: 'plain_text',
          text: expiresOn
            ? 'The key stops working at the end of this day (UTC).'
            : 'The key never expires now; pick the day it should stop working (UTC).',
        },
        element: {
          type: 'datepicker',
          action_id: API_KEY_IDS.expires.action,
          ...(expiresOn ? { initial_date: expiresOn } : {}),
        },
      },
      reasonInput(),
    ],
  };
}

/** The only message that ever holds a key's value. */
export function apiKeyDm(delivery: Omit<ApiKeyDelivery, 'slackUserId'>): MessageBody {
  const what = delivery.replacesName
    ? `Your new VAMS API key ${code(delivery.name)} replaces ${code(delivery.replacesName)}, which is now deactivated`
    : `Your VAMS API key ${code(delivery.name)} is ready`;
  const text = `${what}. It belongs to ${code(delivery.ownerUserId)} and works until ${slackDate(delivery.expiresAt)}.\n\n${code(delivery.value)}\n\n${USAGE_NOTE} This message is the only copy: VAMS keeps only a hash. Key id: ${code(delivery.apiKeyId)}.`;
  // The notification text leaves the value out: it shows on lock screens.
  return {
    text: `${what}; open this message to copy it.`,
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }],
  };
}

export type KeyState = 'active' | 'inactive' | 'expired';

export function keyState(key: ApiKeyMetadata, now: Date): KeyState {
  if (!key.active) return 'inactive';
  const expiry = zonedInstant(key.expiresAt);
  return expiry && expiry.getTime() <= now.getTime() ? 'expired' : 'active';
}

function expiryText(key: ApiKeyMetadata): string {
  if (!key.expiresAt) return 'never expires';
  const at = zonedInstant(key.expiresAt);
  // A value without a zone: VAMS treats it as never expiring.
  return at
    ? `expires ${slackDate(at.toISOString())}`
    : `never expires (VAMS ignores ${code(key.expiresAt)})`;
}

// A key and its buttons take two blocks; a message holds 50.
const MAX_LISTED = 24;

/** Metadata only: never the hash, let alone the value. */
export function apiKeyListMessage(
  ownerUserId: string,
  keys: ApiKeyMetadata[],
  now: Date,
): MessageBody {
  if (keys.length === 0) return sectionMessage(`${code(ownerUserId)} has no API keys.`);
  const sorted = [...keys].sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? ''));
  const shown = sorted.slice(0, MAX_LISTED);
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `*API keys of ${code(ownerUserId)}* (${keys.length})${keys.length > shown.length ? `, newest ${shown.length} shown` : ''}`,
      },
    },
    ...shown.flatMap((key): KnownBlock[] => [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: clip(
            `*${escapeMrkdwn(key.name)}* — ${keyState(key, now)}, ${expiryText(key)}\nid ${code(key.apiKeyId)} · created ${key.createdAt ? key.createdAt.slice(0, 10) : '—'}${key.createdBy ? ` by ${code(key.createdBy)}` : ''}\n${escapeMrkdwn(key.description) || '—'}`,
            2900,
          ),
        },
      },
      ...(keyState(key, now) === 'active'
        ? [actionsBlock(`key-actions:${key.apiKeyId}`, keyActionButtons(key.apiKeyId))]
        : []),
    ]),
  ];
  return {
    text: `API keys of ${escapeMrkdwn(ownerUserId)}: ${listWithin(
      shown.map((key) => `${escapeMrkdwn(key.name)} (${keyState(key, now)})`),
      ', ',
      2000,
    )}`,
    blocks,
  };
}

export function revokedReply(
  key: ApiKeyMetadata,
  outcome: 'deactivated' | 'already inactive',
): string {
  return outcome === 'deactivated'
    ? `API key ${code(key.name)} (${code(key.apiKeyId)}) of ${code(key.userId)} is deactivated. VAMS may still accept it for about 45 seconds while its caches expire.`
    : `API key ${code(key.name)} (${code(key.apiKeyId)}) was already inactive; nothing changed.`;
}

export function revokedByAdminDm(key: ApiKeyMetadata, adminSlackUserId: string): MessageBody {
  return sectionMessage(
    `<@${adminSlackUserId}> deactivated your VAMS API key ${code(key.name)} (${code(key.apiKeyId)}). Calls using it stop working within about 45 seconds. Ask for a new one with \`/vams key request\`.`,
  );
}

export function expiryReminderDm(key: ApiKeyMetadata, expiresAt: Date): MessageBody {
  const text = `Your VAMS API key ${code(key.name)} (${code(key.apiKeyId)}) expires ${slackDate(expiresAt.toISOString())}. Rotate it to get a new key with the same description; the old one is deactivated once the new one reaches you.`;
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text } },
      actionsBlock(`rotate:${key.apiKeyId}`, [
        { text: 'Rotate', actionId: API_KEY_IDS.rotateButton, value: key.apiKeyId },
      ]),
    ],
  };
}

export function rotateModal(key: ApiKeyMetadata, newName: string): ModalView {
  return reasonModal({
    callbackId: API_KEY_IDS.rotateCallbackId,
    title: 'Rotate an API key',
    submit: 'Request',
    what: `A new key ${code(newName)} for ${code(key.userId)} with the same description replaces ${code(key.name)} (${code(key.apiKeyId)}), which is deactivated once the new key is delivered by DM. An admin approves it in the approvals channel.`,
    metadata: key.apiKeyId,
  });
}

/** `Rotate` and `Revoke` for a key still in use, wherever keys are listed. Only the id goes. */
export function keyActionButtons(apiKeyId: string): ButtonSpec[] {
  return [
    { text: 'Rotate', actionId: API_KEY_IDS.rotateButton, value: apiKeyId },
    { text: 'Revoke', actionId: API_KEY_IDS.revokeButton, value: apiKeyId, style: 'danger' },
  ];
}

/** `/vams key delete`: what goes, asked once more, since a deleted key cannot come back. */
export function deleteConfirmation(key: ApiKeyMetadata): MessageBody {
  const text = `Delete API key *${escapeMrkdwn(key.name)}* (${code(key.apiKeyId)}) of ${code(key.userId)}? VAMS forgets it at once and it cannot be brought back; \`/vams key revoke\` only deactivates it.`;
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text } },
      actionsBlock(`key-delete:${key.apiKeyId}`, [
        {
          text: 'Delete',
          actionId: API_KEY_IDS.deleteButton,
          value: key.apiKeyId,
          style: 'danger',
        },
      ]),
    ],
  };
}

export function deletedByAdminDm(key: ApiKeyMetadata, adminSlackUserId: string): MessageBody {
  return sectionMessage(
    `<@${adminSlackUserId}> deleted your VAMS API key *${escapeMrkdwn(key.name)}* (${code(key.apiKeyId)}). It no longer works.`,
  );
}

/** `/vams key reactivate`: what it does, and the `Reason` field. */
export function reactivateModal(key: ApiKeyMetadata): ModalView {
  return reasonModal({
    callbackId: API_KEY_IDS.reactivateCallbackId,
    title: 'Reactivate an API key',
    submit: 'Request',
    what: `Switch API key ${code(key.name)} of ${code(key.userId)} on again, with that user's VAMS roles. An admin approves it in the approvals channel.`,
    metadata: key.apiKeyId,
  });
}

/** The owner is told when someone else changed their key. */
export function updatedByAdminDm(
  key: ApiKeyMetadata,
  adminSlackUserId: string,
  change: string,
): MessageBody {
  return sectionMessage(
    `<@${adminSlackUserId}> updated your VAMS API key ${code(key.name)} (${code(key.apiKeyId)}): ${change}`,
  );
}

export type KeyFilter = 'expiring' | 'inactive' | 'orphaned';

/** `/vams key list --all`: one page of every key, with the owner; `Next page` when there is more. */
export function allKeysMessage(options: {
  filter: KeyFilter | undefined;
  keys: readonly ApiKeyMetadata[];
  /** The key after which the next page starts, when there is one. */
  next: string | undefined;
  scanned: number;
  now: Date;
}): MessageBody {
  const { filter, keys, next, now } = options;
  const what = filter ? `${filter} API keys` : 'API keys';
  const heading = `*All ${what}*: ${keys.length} on this page${next ? '' : ', the last'}`;
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: heading } },
    ...keys.map(
      (key): KnownBlock => ({
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: clip(
            `*${escapeMrkdwn(key.name)}* of ${code(key.userId)} — ${keyState(key, now)}, ${expiryText(key)}\nid ${code(key.apiKeyId)} · ${escapeMrkdwn(key.description) || '—'}`,
            2900,
          ),
        },
      }),
    ),
  ];
  if (keys.length === 0) {
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: next ? `None among the next ${options.scanned} keys.` : 'None.',
      },
    });
  }
  if (next) {
    blocks.push(
      actionsBlock('key-list-all', [
        {
          text: 'Next page',
          actionId: API_KEY_IDS.allNextButton,
          // Not secret: a filter and a key id, checked again on the click.
          value: JSON.stringify({ filter: filter ?? '', after: next }),
        },
      ]),
    );
  }
  return {
    text: `${what}: ${listWithin(
      keys.map((key) => `${escapeMrkdwn(key.name)} (${escapeMrkdwn(key.userId)})`),
      ', ',
      2000,
    )}`,
    blocks,
  };
}
