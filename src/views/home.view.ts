import type { HomeView, KnownBlock, SectionBlock } from '@slack/types';
import type { ApiKeyMetadata } from '../domain/api-key';
import { holdingUntil, type RoleHolding } from '../domain/grant';
import { type AccessRequest, isOpen } from '../domain/request';
import { zonedInstant } from '../vams/api-key-format';
import { BLOCK_KIT_LIMITS } from './block-kit-limits';
import { actionsBlock, type ButtonSpec } from './buttons';
import { clip } from './fit';
import { code, escapeMrkdwn, slackDate } from './mrkdwn';
import { kindTitle, requestButtons, tally } from './request-card.view';
import { ROLE_IDS } from './role.view';

/** What one person's App Home shows; read with Queries only, at the moment it is drawn. */
export interface HomeModel {
  /** Who they are in VAMS, or why they are nobody there. */
  identity: { vamsUserId: string; roles: readonly string[] } | { unmapped: string };
  /** Shown at the top: what their last click on the Home did. */
  notice?: string;
  /** Undefined: they approve nothing, and the section is left out. */
  decidable: readonly AccessRequest[] | undefined;
  own: readonly AccessRequest[];
  grants: readonly RoleHolding[];
  keys: readonly ApiKeyMetadata[];
  /** Buttons for one key (Rotate, Revoke), where the key may still be used. */
  keyButtons?: (key: ApiKeyMetadata) => ButtonSpec[];
  now: Date;
}

// Slack allows 100 blocks in a Home tab: each list is capped, and the whole is checked again.
const MAX_DECIDABLE = 15;
const MAX_OWN = 10;
const MAX_GRANTS = 10;
const MAX_KEYS = 10;

const section = (text: string): KnownBlock => ({
  type: 'section',
  text: { type: 'mrkdwn', text: clip(text, BLOCK_KIT_LIMITS.sectionTextChars) },
});
const header = (text: string): KnownBlock => ({
  type: 'header',
  text: { type: 'plain_text', text },
});
const note = (text: string): KnownBlock => ({
  type: 'context',
  elements: [{ type: 'mrkdwn', text }],
});

function more(hidden: number, where: string): KnownBlock[] {
  return hidden > 0 ? [note(`…and ${hidden} more: ${where}`)] : [];
}

function requestLine(request: AccessRequest): string {
  const when = isOpen(request.status)
    ? `expires ${slackDate(request.expiresAt)}`
    : `filed ${slackDate(request.createdAt)}`;
  return `*${request.id}* · ${kindTitle(request.kind)} of ${code(request.subject)} · by <@${request.requester.slackUserId}> · ${request.status} · ${tally(request)} · ${when}\n_${escapeMrkdwn(request.reason.slice(0, 200))}_`;
}

function decidableBlocks(requests: readonly AccessRequest[]): KnownBlock[] {
  const blocks: KnownBlock[] = [header('Waiting for your decision')];
  if (requests.length === 0) blocks.push(section('Nothing is waiting for you.'));
  for (const request of requests.slice(0, MAX_DECIDABLE)) {
    blocks.push(section(requestLine(request)));
    blocks.push(
      actionsBlock(`home-decide:${request.id}`, requestButtons(request, ['approve', 'reject'])),
    );
  }
  return [...blocks, ...more(requests.length - MAX_DECIDABLE, '`/vams requests`')];
}

function ownBlocks(requests: readonly AccessRequest[]): KnownBlock[] {
  const blocks: KnownBlock[] = [header('Your requests')];
  if (requests.length === 0) blocks.push(section('You have filed no requests lately.'));
  for (const request of requests.slice(0, MAX_OWN)) {
    const [cancel] = request.status === 'pending' ? requestButtons(request, ['cancel']) : [];
    const line: SectionBlock = {
      type: 'section',
      block_id: `home-own:${request.id}`,
      text: { type: 'mrkdwn', text: clip(requestLine(request), BLOCK_KIT_LIMITS.sectionTextChars) },
    };
    if (cancel) {
      line.accessory = {
        type: 'button',
        text: { type: 'plain_text', text: cancel.text },
        action_id: cancel.actionId,
        value: cancel.value,
      };
    }
    blocks.push(line);
  }
  return [...blocks, ...more(requests.length - MAX_OWN, '`/vams requests`')];
}

function grantBlocks(holdings: readonly RoleHolding[]): KnownBlock[] {
  const running = holdings.filter((holding) => holding.grants.length > 0);
  const blocks: KnownBlock[] = [header('Your running grants')];
  if (running.length === 0)
    blocks.push(section('No grants running. `/vams role request` asks for one.'));
  for (const holding of running.slice(0, MAX_GRANTS)) {
    const until = holdingUntil(holding);
    const kept = holding.keepsRow ? ' (you also hold it permanently)' : '';
    blocks.push({
      type: 'section',
      block_id: `home-grant:${holding.roleName}`.slice(0, BLOCK_KIT_LIMITS.blockIdChars),
      text: {
        type: 'mrkdwn',
        text: clip(
          `${code(holding.roleName)} until ${until ? slackDate(until) : '—'}${kept} · ${holding.grants.map((grant) => grant.grantId).join(', ')}`,
          BLOCK_KIT_LIMITS.sectionTextChars,
        ),
      },
      accessory: {
        type: 'button',
        text: { type: 'plain_text', text: 'Release now' },
        action_id: ROLE_IDS.releaseButton,
        value: holding.roleName,
      },
    });
  }
  return [...blocks, ...more(running.length - MAX_GRANTS, '`/vams role list`')];
}

function keyBlocks(model: HomeModel): KnownBlock[] {
  const keys = [...model.keys].sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? ''));
  const blocks: KnownBlock[] = [header('Your API keys')];
  if (keys.length === 0)
    blocks.push(section('You have no API keys. `/vams key request` asks for one.'));
  for (const key of keys.slice(0, MAX_KEYS)) {
    // A value without a zone: VAMS treats it as never expiring.
    const at = zonedInstant(key.expiresAt);
    const expiry = at ? `expires ${slackDate(at.toISOString())}` : 'never expires';
    blocks.push(
      section(
        `*${escapeMrkdwn(key.name)}* · ${key.active ? 'active' : 'inactive'} · ${expiry}\nid ${code(key.apiKeyId)}`,
      ),
    );
    const buttons = key.active ? (model.keyButtons?.(key) ?? []) : [];
    if (buttons.length > 0) blocks.push(actionsBlock(`home-key:${key.apiKeyId}`, buttons));
  }
  return [...blocks, ...more(keys.length - MAX_KEYS, '`/vams key list`')];
}

/** The App Home: what waits for them, what they asked for, their grants and their keys. */
export function homeView(model: HomeModel): HomeView {
  const who =
    'unmapped' in model.identity
      ? `You are not matched to a VAMS user: ${escapeMrkdwn(model.identity.unmapped)}`
      : `You are ${code(model.identity.vamsUserId)} in VAMS, with ${model.identity.roles.length > 0 ? model.identity.roles.map(code).join(', ') : 'no roles'}.`;
  const blocks: KnownBlock[] = [
    header('VAMS access'),
    ...(model.notice ? [section(`:information_source: ${escapeMrkdwn(model.notice)}`)] : []),
    note(`${who} Updated ${slackDate(model.now.toISOString())}.`),
    ...(model.decidable ? decidableBlocks(model.decidable) : []),
    ...ownBlocks(model.own),
    ...grantBlocks(model.grants),
    ...keyBlocks(model),
  ];
  // Every list above is capped so that this never cuts; it is the last guard of the limit.
  const limited =
    blocks.length > BLOCK_KIT_LIMITS.modalBlocks
      ? [...blocks.slice(0, BLOCK_KIT_LIMITS.modalBlocks - 1), note('…more than fits here.')]
      : blocks;
  return { type: 'home', blocks: limited };
}
