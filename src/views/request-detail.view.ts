import type { KnownBlock } from '@slack/types';
import type { AuditEvent } from '../domain/audit';
import type { AccessRequest } from '../domain/request';
import { definitionOf } from '../kinds/registry';
import { BLOCK_KIT_LIMITS } from './block-kit-limits';
import { clip } from './fit';
import type { MessageBody } from './message';
import { code, escapeMrkdwn, slackDate } from './mrkdwn';
import { kindTitle, tally } from './request-card.view';

// Audit details are small records of ids and words; one line each, shortened.
const DETAIL_CHARS = 200;
// Room for the heading blocks within a message's serialized blocks.
const TRAIL_BUDGET = BLOCK_KIT_LIMITS.messageSerializedBlocksChars - 4_000;
const SECTION_CHARS = BLOCK_KIT_LIMITS.sectionTextChars - 100;

function detailOf(event: AuditEvent): string {
  const entries = Object.entries(event.detail ?? {}).map(
    ([name, value]) => `${name}: ${typeof value === 'string' ? value : JSON.stringify(value)}`,
  );
  return entries.length > 0 ? ` — ${escapeMrkdwn(clip(entries.join(', '), DETAIL_CHARS))}` : '';
}

function eventLine(event: AuditEvent): string {
  const who = event.actor ? ` by ${code(event.actor)}` : '';
  return `• ${slackDate(event.at)} *${escapeMrkdwn(event.type)}*${who}${detailOf(event)}`;
}

/** Lines in as many sections as they need, within the message's budget; the oldest first. */
function sectionsOf(
  lines: readonly string[],
  budget: number,
): { blocks: KnownBlock[]; shown: number } {
  const blocks: KnownBlock[] = [];
  let current: string[] = [];
  let used = 0;
  let shown = 0;
  const flush = () => {
    if (current.length === 0) return true;
    const block: KnownBlock = {
      type: 'section',
      text: { type: 'mrkdwn', text: current.join('\n') },
    };
    const size = JSON.stringify(block).length;
    if (used + size > budget) return false;
    used += size;
    blocks.push(block);
    shown += current.length;
    current = [];
    return true;
  };
  for (const line of lines) {
    const fits = [...current, line].join('\n').length <= SECTION_CHARS;
    if (!fits && !flush()) break;
    current.push(clip(line, SECTION_CHARS));
  }
  flush();
  return { blocks, shown };
}

/** `/vams request <id>`: the request in full and its audit trail, for those who may see it. */
export function requestDetailMessage(
  request: AccessRequest,
  events: readonly AuditEvent[],
): MessageBody {
  const title = `${kindTitle(request.kind)} request ${request.id}`;
  const facts = [
    `*Status:* ${request.status} · ${tally(request)}`,
    `*Requested by* <@${request.requester.slackUserId}> (${code(request.requester.vamsUserId)}) ${slackDate(request.createdAt)}`,
    `*About:* ${code(request.subject)}`,
    `*Reason:* ${escapeMrkdwn(clip(request.reason, 1_000))}`,
    ...(request.status === 'pending' ? [`*Expires* ${slackDate(request.expiresAt)}`] : []),
    ...((request.privileged ?? []).length > 0
      ? [`*Privileged:* grants ${(request.privileged ?? []).map(code).join(', ')}`]
      : []),
    ...(request.decision
      ? [
          `*${request.status === 'cancelled' ? 'Cancelled' : 'Decided'}* by <@${request.decision.by.slackUserId}> ${slackDate(request.decision.at)}${request.decision.comment ? `: “${escapeMrkdwn(request.decision.comment)}”` : ''}`,
        ]
      : []),
    ...(request.failure ? [`*Why it failed:* ${escapeMrkdwn(clip(request.failure, 1_000))}`] : []),
  ];
  const steps = request.steps.map(
    (step) =>
      `• ${slackDate(step.at)} ${escapeMrkdwn(step.name)}: ${step.status}${step.detail ? ` — ${escapeMrkdwn(clip(step.detail, DETAIL_CHARS))}` : ''}`,
  );
  const trail = [...events].sort((a, b) => a.at.localeCompare(b.at)).map(eventLine);
  const head: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: clip(title, 150) } },
    { type: 'section', text: { type: 'mrkdwn', text: clip(facts.join('\n'), SECTION_CHARS) } },
    {
      type: 'section',
      fields: definitionOf(request.kind)
        .cardFields(request)
        .map((text) => ({ type: 'mrkdwn' as const, text })),
    },
  ];
  const stepBlocks = sectionsOf(steps.length > 0 ? [`*Steps*`, ...steps] : [], TRAIL_BUDGET / 2);
  const trailBlocks = sectionsOf(['*Audit trail*', ...trail], TRAIL_BUDGET / 2);
  const hidden = trail.length + 1 - trailBlocks.shown;
  return {
    text: `${title}: ${request.status}`,
    blocks: [
      ...head,
      ...stepBlocks.blocks,
      ...trailBlocks.blocks,
      ...(hidden > 0
        ? [
            {
              type: 'context' as const,
              elements: [
                {
                  type: 'mrkdwn' as const,
                  text: `…and ${hidden} later audit events not shown here.`,
                },
              ],
            },
          ]
        : []),
    ],
  };
}
