import type { KnownBlock } from '@slack/types';
import type { ApiKeyMetadata } from '../domain/api-key';
import type { CognitoUserDetail } from '../domain/cognito-user';
import { zonedInstant } from '../vams/api-key-format';
import { keyState } from './api-key.view';
import { checkMessage } from './block-kit-limits';
import { actionsBlock, type ButtonSpec } from './buttons';
import { clip, escapedWithin, listWithin } from './fit';
import type { MessageBody } from './message';
import { code } from './mrkdwn';
import { utcMinute } from './user-list.view';

export interface UserShowModel {
  user: CognitoUserDetail;
  /** From VAMS's user-roles table. */
  roles: readonly string[];
  /** Metadata only: the store never reads a key's hash. */
  keys: readonly ApiKeyMetadata[];
  buttons: readonly ButtonSpec[];
  /** Per active key: its name and the buttons that act on it. */
  keyButtons?: readonly { apiKeyId: string; buttons: readonly ButtonSpec[] }[];
  now: Date;
}

/** How much of each part is shown; a smaller tier is used only if Slack's limits demand it. */
interface Room {
  field: number;
  section: number;
  attribute: number;
  keyName: number;
  keyDescription: number;
}

// The smallest fits by construction: every part is cut to a few hundred characters.
const SMALLEST: Room = { field: 100, section: 500, attribute: 40, keyName: 20, keyDescription: 0 };
const TIERS: readonly Room[] = [
  { field: 1000, section: 2900, attribute: 300, keyName: 80, keyDescription: 120 },
  { field: 300, section: 1500, attribute: 100, keyName: 40, keyDescription: 40 },
];

function verified(value: string | undefined, isVerified: boolean, room: Room): string {
  if (!value) return '–';
  return `${escapedWithin(value, room.field)} (${isVerified ? 'verified' : 'not verified'})`;
}

export function mfaText(user: Pick<CognitoUserDetail, 'mfaMethods' | 'preferredMfa'>): string {
  if (user.mfaMethods.length === 0) return 'off';
  const methods = user.mfaMethods.map((method) =>
    method === user.preferredMfa ? `${method} (preferred)` : method,
  );
  return `on: ${methods.join(', ')}`;
}

function keyLine(key: ApiKeyMetadata, now: Date, room: Room): string {
  const expiry = zonedInstant(key.expiresAt);
  const expired = expiry !== undefined && expiry.getTime() <= now.getTime();
  let expires = 'never expires';
  if (expiry) expires = `${expired ? 'expired' : 'expires'} ${utcMinute(expiry)}`;
  else if (key.expiresAt)
    expires = `expiry ${code(clip(key.expiresAt, 30))} (VAMS reads it as never)`;
  const created = zonedInstant(key.createdAt);
  const current = keyState(key, now);
  const state = current === 'inactive' ? '*inactive*' : current;
  return [
    `${code(clip(key.name, room.keyName))} (${code(key.apiKeyId.slice(0, 40))})`,
    room.keyDescription > 0 && key.description
      ? `_${escapedWithin(key.description, room.keyDescription)}_`
      : undefined,
    created ? `created ${utcMinute(created)}` : undefined,
    expires,
    state,
  ]
    .filter((part) => part !== undefined)
    .join(' · ');
}

function build(model: UserShowModel, room: Room): MessageBody {
  const { user } = model;
  const fields = [
    `*User ID*\n${code(clip(user.username, room.field))}`,
    `*sub*\n${user.sub ? code(clip(user.sub, 100)) : '–'}`,
    `*Email*\n${verified(user.email, user.emailVerified, room)}`,
    `*Phone*\n${verified(user.phone, user.phoneVerified, room)}`,
    `*Status*\n${escapedWithin(user.status ?? 'unknown', 40)}`,
    `*Enabled*\n${user.enabled ? 'yes' : '*no: disabled*'}`,
    `*MFA*\n${escapedWithin(mfaText(user), 200)}`,
    `*Created*\n${utcMinute(user.created)} UTC`,
    `*Last modified*\n${utcMinute(user.modified)} UTC`,
  ];
  const blocks: KnownBlock[] = [
    {
      type: 'header',
      text: { type: 'plain_text', text: `Cognito user ${clip(user.username, 130)}` },
    },
    { type: 'section', fields: fields.map((text) => ({ type: 'mrkdwn', text })) },
  ];
  if (user.customAttributes.length > 0) {
    const lines = user.customAttributes.map(
      (entry) => `${code(clip(entry.name, 60))} = ${escapedWithin(entry.value, room.attribute)}`,
    );
    const text = `*Custom attributes*\n${listWithin(lines, '\n', room.section)}`;
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text } });
  }
  const roles =
    model.roles.length > 0
      ? listWithin(
          model.roles.map((role) => code(role)),
          ', ',
          room.section,
        )
      : 'none: VAMS gives this user no access';
  blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*VAMS roles*\n${roles}` } });
  const keys =
    model.keys.length > 0
      ? listWithin(
          model.keys.map((key) => keyLine(key, model.now, room)),
          '\n',
          room.section,
        )
      : 'none';
  blocks.push({
    type: 'section',
    text: { type: 'mrkdwn', text: `*API keys (${model.keys.length})*\n${keys}` },
  });
  if (model.buttons.length > 0) blocks.push(actionsBlock('user-show-actions', model.buttons));
  // Rotate and Revoke for the active keys shown, within a message's 50 blocks.
  for (const key of (model.keyButtons ?? []).slice(0, MAX_KEY_BUTTONS)) {
    blocks.push(actionsBlock(`user-show-key:${key.apiKeyId}`, key.buttons));
  }
  const summary = [
    user.status ?? 'unknown status',
    user.enabled ? 'enabled' : 'disabled',
    `MFA ${mfaText(user)}`,
    `${model.roles.length} VAMS role(s)`,
    `${model.keys.length} API key(s)`,
  ].join('; ');
  return { text: `Cognito user ${code(clip(user.username, 256))}: ${summary}`, blocks };
}

const MAX_KEY_BUTTONS = 10;

/** Buttons on `/vams user show` answered by the features whose dialogs they open. */
export const USER_SHOW_IDS = {
  resetPassword: 'user-show-reset-password',
  offboard: 'user-show-offboard',
} as const;

/**
 * `/vams user show`: the user as Cognito has it (MFA read for real), their VAMS roles and their
 * API keys' metadata, with buttons for the changes that apply.
 */
export function userShowMessage(model: UserShowModel): MessageBody {
  for (const room of TIERS) {
    const message = build(model, room);
    if (checkMessage(message).length === 0) return message;
  }
  return build(model, SMALLEST);
}
