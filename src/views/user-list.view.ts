import type { KnownBlock } from '@slack/types';
import { type CognitoUserRow, USER_LIST_PAGE_SIZE } from '../domain/cognito-user';
import { BLOCK_KIT_LIMITS } from './block-kit-limits';
import { actionsBlock, type ButtonSpec } from './buttons';
import { clip, escapedWithin, serializedLength } from './fit';
import type { MessageBody } from './message';
import { code, escapeMrkdwn } from './mrkdwn';

export interface UserListPage {
  prefix: string | undefined;
  page: number;
  /** Users listed on the pages before this one. */
  before: number;
  users: readonly CognitoUserRow[];
  /** Previous / Next, as the handler wants them. */
  buttons: readonly ButtonSpec[];
}

/** Cognito's ListUsers page size, and so the most users one message must hold. */
export const USERS_PER_MESSAGE = USER_LIST_PAGE_SIZE;

// Headers, context, buttons and section wrappers take well under this; the rest is shared out
// evenly, so a full page stays under Slack's serialized block size whatever the users hold.
const RESERVED_CHARS = 1500;
const LINE_BUDGET = Math.floor(
  (BLOCK_KIT_LIMITS.messageSerializedBlocksChars - RESERVED_CHARS) / USERS_PER_MESSAGE,
);
// Long User IDs and emails are cut only when a line would not fit otherwise.
const WIDTHS = [64, 40, 24] as const;
// The narrowest always fits: 12 + 12 + 16 + 21 + 10 + 16 + 16 characters and separators.
const NARROWEST = 12;
const SECTION_CHARS = BLOCK_KIT_LIMITS.sectionTextChars;
const COLUMNS = 'User ID · email · phone · status · enabled · created · last modified (UTC)';

export function utcMinute(date: Date | undefined): string {
  return date ? date.toISOString().slice(0, 16).replace('T', ' ') : '–';
}

function line(user: CognitoUserRow, width: number): string {
  return [
    `\`${escapedWithin(user.username.replace(/`/g, "'"), width)}\``,
    user.email ? escapedWithin(user.email, width) : '–',
    user.phone ? escapedWithin(user.phone, 16) : '–',
    escapedWithin(user.status ?? 'unknown', 21),
    user.enabled ? 'enabled' : '*disabled*',
    utcMinute(user.created),
    utcMinute(user.modified),
  ].join(' · ');
}

/** One line per user, as wide as the line budget allows (the `\n` after it included). */
export function userLine(user: CognitoUserRow): string {
  for (const width of WIDTHS) {
    const text = line(user, width);
    if (serializedLength(`${text}\n`) <= LINE_BUDGET) return text;
  }
  return line(user, NARROWEST);
}

/** Lines packed into as few sections as Slack's 3000-character section text allows. */
function sections(lines: readonly string[]): KnownBlock[] {
  const texts: string[] = [];
  let current = '';
  for (const text of lines) {
    const joined = current ? `${current}\n${text}` : text;
    if (joined.length > SECTION_CHARS && current) {
      texts.push(current);
      current = text;
    } else {
      current = joined;
    }
  }
  if (current) texts.push(current);
  return texts.map((text) => ({ type: 'section', text: { type: 'mrkdwn', text } }));
}

function emptyText(view: UserListPage): string {
  if (view.page > 1) return 'No more users.';
  return view.prefix === undefined
    ? 'The user pool has no users.'
    : `No Cognito user's User ID or email starts with ${code(clip(view.prefix, 100))}.`;
}

/** `/vams user list`: one page of users, one compact line each, with Previous / Next. */
export function userListMessage(view: UserListPage): MessageBody {
  const title =
    view.prefix === undefined
      ? 'Cognito users'
      : `Cognito users matching “${clip(view.prefix, 60)}”`;
  const first = view.before + 1;
  const last = view.before + view.users.length;
  const range = view.users.length > 0 ? `Users ${first}–${last}` : `Page ${view.page}`;
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: title } },
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `${range} · ${COLUMNS}. \`/vams user show <userId>\` shows one in full.`,
        },
      ],
    },
  ];
  if (view.users.length === 0) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: emptyText(view) } });
  } else {
    blocks.push(...sections(view.users.map(userLine)));
  }
  if (view.buttons.length > 0) blocks.push(actionsBlock('user-list-pages', view.buttons));
  const heading = escapeMrkdwn(title);
  const text =
    view.users.length === 0
      ? `${heading}: ${emptyText(view)}`
      : `${heading}, page ${view.page}: users ${first}–${last}`;
  return { text, blocks };
}
