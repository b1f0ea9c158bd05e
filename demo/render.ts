import { z } from 'zod';

const text = z.object({ text: z.string() });
const block = z.looseObject({
  type: z.string(),
  text: text.optional(),
  fields: z.array(text).optional(),
  elements: z
    .array(z.looseObject({ type: z.string(), text: z.union([text, z.string()]).optional() }))
    .optional(),
});

type NameOf = (slackUserId: string) => string | undefined;

const EMOJI: Record<string, string> = {
  white_check_mark: '✅',
  x: '❌',
  warning: '⚠️',
  hourglass_flowing_sand: '⏳',
  hourglass: '⌛',
  gear: '⚙️',
  no_entry: '⛔',
  leftwards_arrow_with_hook: '↩️',
  white_circle: '⚪',
  arrows_counterclockwise: '🔄',
};

function asPlainText(mrkdwn: string, nameOf: NameOf): string {
  return mrkdwn
    .replace(/<@(\w+)>/g, (_mention, id: string) => `@${nameOf(id) ?? id}`)
    .replace(/<#(\w+)>/g, '#approvals')
    .replace(/<!date\^\d+\^[^|>]*\|([^>]+)>/g, '$1')
    .replace(/<https?:[^|>]+\|([^>]+)>/g, '[$1]')
    .replace(/:([a-z_]+):/g, (shortcode, name: string) => EMOJI[name] ?? shortcode)
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function renderBlock(raw: unknown, nameOf: NameOf): string[] {
  const parsed = block.safeParse(raw);
  if (!parsed.success) return [];
  const { type, fields, elements } = parsed.data;
  const own = parsed.data.text?.text;
  switch (type) {
    case 'header':
      return [`== ${own ?? ''} ==`];
    case 'section':
      return [
        ...(own ? asPlainText(own, nameOf).split('\n') : []),
        ...(fields ?? []).map((field) => asPlainText(field.text, nameOf).replace(/\n/g, ' ')),
      ];
    case 'context':
      return (elements ?? []).map(
        (element) =>
          `(${asPlainText(typeof element.text === 'string' ? element.text : (element.text?.text ?? ''), nameOf)})`,
      );
    case 'actions':
      return [
        (elements ?? [])
          .map(
            (element) =>
              `[${typeof element.text === 'string' ? element.text : (element.text?.text ?? element.type)}]`,
          )
          .join(' '),
      ];
    case 'divider':
      return ['────────'];
    default:
      return [`<${type}>`];
  }
}

/** A message as a person would read it in Slack, as plain lines. */
export function renderMessage(message: unknown, nameOf: NameOf = () => undefined): string[] {
  const parsed = z
    .looseObject({ text: z.string().optional(), blocks: z.array(z.unknown()).optional() })
    .safeParse(message);
  if (!parsed.success) return ['<unreadable message>'];
  const blocks = parsed.data.blocks ?? [];
  return blocks.length > 0
    ? blocks.flatMap((raw) => renderBlock(raw, nameOf))
    : asPlainText(parsed.data.text ?? '', nameOf).split('\n');
}

const modal = z.looseObject({
  title: text.optional(),
  blocks: z
    .array(
      z.looseObject({ type: z.string(), label: text.optional(), optional: z.boolean().optional() }),
    )
    .optional(),
});

/** A modal as its fields and text, for the transcript. */
export function renderModal(view: unknown, nameOf: NameOf = () => undefined): string[] {
  const parsed = modal.safeParse(view);
  if (!parsed.success) return ['<unreadable modal>'];
  const lines = [`[ ${parsed.data.title?.text ?? ''} ]`];
  for (const block of parsed.data.blocks ?? []) {
    if (block.type === 'input') {
      lines.push(`${block.label?.text ?? ''}${block.optional ? ' (optional)' : ''}: ________`);
    } else {
      lines.push(...renderBlock(block, nameOf));
    }
  }
  return lines;
}
