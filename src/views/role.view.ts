import type { KnownBlock, ModalView, PlainTextOption } from '@slack/types';
import { durationLabel, type GrantEntry, type RoleHolding } from '../domain/grant';
import { BLOCK_KIT_LIMITS } from './block-kit-limits';
import { actionsBlock } from './buttons';
import { clip } from './fit';
import type { MessageBody } from './message';
import { code, escapeMrkdwn, slackDate } from './mrkdwn';
import { REASON_IDS, reasonInput } from './reason.view';
import { USER_CREATE_IDS } from './user-create.view';

/** Slack ids of the role dialogs and buttons, in one place for handlers, views and tests. */
export const ROLE_IDS = {
  grantCallbackId: 'role-grant',
  removeCallbackId: 'role-remove',
  // The onboarding dialog's picker: one options listener serves both.
  roles: USER_CREATE_IDS.roles,
  duration: { block: 'duration', action: 'duration' },
  reason: REASON_IDS.reason,
  extendButton: 'grant-extend',
  releaseButton: 'grant-release',
} as const;

/** The `Duration` value of a permanent assignment. */
export const PERMANENT = 'permanent';

const ids = ROLE_IDS;

const option = (text: string, value: string): PlainTextOption => ({
  text: { type: 'plain_text', text },
  value,
});

export interface RoleGrantDialog {
  mode: 'assign' | 'request';
  /** Whom `role assign` gives roles to; `role request` is always for the asker. */
  userId?: string;
  /** Minutes offered, shortest first. */
  durations: readonly number[];
  /** Roles already chosen (an `Extend` from a reminder). */
  roles?: readonly string[];
}

/** `/vams role assign` and `/vams role request`: Roles, Duration, Reason. */
export function roleGrantModal(dialog: RoleGrantDialog): ModalView {
  const options = [
    ...dialog.durations.map((minutes) => option(durationLabel(minutes), String(minutes))),
    ...(dialog.mode === 'assign' ? [option('Permanent', PERMANENT)] : []),
  ];
  const chosen = (dialog.roles ?? []).map((role) => option(clip(role, 75), role));
  const what =
    dialog.mode === 'assign'
      ? `Assign VAMS roles to ${code(dialog.userId ?? '')}. A time-bound assignment ends by itself; an admin approves it in the approvals channel.`
      : `Ask for VAMS roles for yourself, for a while. They end by themselves; you are reminded 15 minutes before. An admin approves it in the approvals channel.`;
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: what } },
    {
      type: 'input',
      block_id: ids.roles.block,
      label: { type: 'plain_text', text: 'Roles' },
      hint: { type: 'plain_text', text: 'VAMS roles; type to search.' },
      element: {
        type: 'multi_external_select',
        action_id: ids.roles.action,
        min_query_length: 0,
        placeholder: { type: 'plain_text', text: 'Choose roles' },
        ...(chosen.length > 0 ? { initial_options: chosen } : {}),
      },
    },
    {
      type: 'input',
      block_id: ids.duration.block,
      label: { type: 'plain_text', text: 'Duration' },
      element: {
        type: 'static_select',
        action_id: ids.duration.action,
        placeholder: { type: 'plain_text', text: 'How long' },
        options,
      },
    },
    reasonInput(),
  ];
  return {
    type: 'modal',
    callback_id: ids.grantCallbackId,
    // Small and not secret: who the roles are for and which command opened it.
    private_metadata: JSON.stringify({
      mode: dialog.mode,
      ...(dialog.userId ? { userId: dialog.userId } : {}),
    }),
    title: {
      type: 'plain_text',
      text: dialog.mode === 'assign' ? 'Assign roles' : 'Request roles',
    },
    submit: { type: 'plain_text', text: 'Request' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks,
  };
}

/** How a role is held, for `/vams role list <userId>`. */
export interface HeldRole {
  roleName: string;
  holding: RoleHolding | undefined;
}

function heldLine({ roleName, holding }: HeldRole): string {
  const running = holding?.grants ?? [];
  if (!holding || holding.keepsRow || running.length === 0) {
    const extra =
      running.length > 0
        ? ` (also ${running.map((grant) => `grant ${grant.grantId} until ${slackDate(grant.end)}`).join(', ')})`
        : '';
    return `• ${code(roleName)}: permanent${extra}`;
  }
  const last = [...running].sort((a, b) => a.end.localeCompare(b.end)).at(-1) as GrantEntry;
  return `• ${code(roleName)}: until ${slackDate(last.end)} (grant ${last.grantId}, requested by <@${last.requestedBy}>)`;
}

// Room for the heading and the "not all shown" note within a message's serialized blocks.
const LINES_BUDGET = BLOCK_KIT_LIMITS.messageSerializedBlocksChars - 1_500;

/** Sections of lines, each within a section's text limit, all within a message's blocks. */
function linesIn(lines: readonly string[]): KnownBlock[] {
  const sections: string[] = [];
  let current = '';
  for (const line of lines) {
    const next = current ? `${current}\n${line}` : line;
    if ([...next].length > BLOCK_KIT_LIMITS.sectionTextChars - 100 && current) {
      sections.push(current);
      current = line;
    } else current = next;
  }
  if (current) sections.push(current);
  const blocks: KnownBlock[] = [];
  let used = 0;
  for (const text of sections) {
    const block: KnownBlock = {
      type: 'section',
      text: { type: 'mrkdwn', text: clip(text, BLOCK_KIT_LIMITS.sectionTextChars) },
    };
    used += JSON.stringify(block).length;
    if (used > LINES_BUDGET) break;
    blocks.push(block);
  }
  if (blocks.length < sections.length) {
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: 'More than fits in one message; not all are shown.' }],
    });
  }
  return blocks;
}

export function userRolesMessage(userId: string, held: readonly HeldRole[]): MessageBody {
  const heading = `VAMS roles of ${code(userId)}`;
  if (held.length === 0) {
    const text = `${heading}: none. \`/vams role assign ${userId}\` gives some (admins), or they can ask with \`/vams role request\`.`;
    return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
  }
  return {
    text: heading,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `*${heading}*` } },
      ...linesIn(held.map(heldLine)),
    ],
  };
}

export interface RoleSummary {
  roleName: string;
  description: string | undefined;
  mfaRequired: boolean;
  holders: number;
}

export function allRolesMessage(roles: readonly RoleSummary[]): MessageBody {
  const heading = `VAMS roles (${roles.length})`;
  const lines = roles.map(
    (role) =>
      `• ${code(role.roleName)} — ${role.description ? clip(escapeMrkdwn(role.description), 256) : 'no description'}; mfaRequired: ${role.mfaRequired ? 'yes' : 'no'}; ${role.holders} holder${role.holders === 1 ? '' : 's'}`,
  );
  return {
    text: heading,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `*${heading}*` } },
      ...(lines.length > 0
        ? linesIn(lines)
        : [{ type: 'section' as const, text: { type: 'mrkdwn' as const, text: 'None.' } }]),
    ],
  };
}

/** The grantee's DM 15 minutes before a grant ends. */
export function grantReminderDm(holding: RoleHolding, grant: GrantEntry): MessageBody {
  const text = `Your grant ${grant.grantId} of VAMS role ${code(holding.roleName)} ends ${slackDate(grant.end)}. Extend opens a new request; Release now gives it back at once.`;
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text } },
      actionsBlock('grant-reminder', [
        // Only the role name: the clicker's own grants of it are what the click acts on.
        { text: 'Extend', actionId: ids.extendButton, value: holding.roleName, style: 'primary' },
        { text: 'Release now', actionId: ids.releaseButton, value: holding.roleName },
      ]),
    ],
  };
}
