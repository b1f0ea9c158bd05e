import { escapeMrkdwn } from './mrkdwn';

/** As many items as fit in `limit` characters, then "…and N more": Slack refuses longer text. */
export function listWithin(items: readonly string[], separator: string, limit: number): string {
  const shown: string[] = [];
  for (const item of items) {
    const hiddenAfter = items.length - shown.length - 1;
    const more = hiddenAfter > 0 ? `${separator}…and ${hiddenAfter} more` : '';
    if ([...shown, item].join(separator).length + more.length > limit) break;
    shown.push(item);
  }
  const hidden = items.length - shown.length;
  return hidden === 0 ? shown.join(separator) : [...shown, `…and ${hidden} more`].join(separator);
}

/** Text cut to `limit` characters, marked when cut. */
export function clip(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}

/** What a text costs inside a block: its length once JSON-serialized, quotes excluded. */
export function serializedLength(text: string): number {
  return JSON.stringify(text).length - 2;
}

/**
 * User-supplied text made safe for mrkdwn and cut so that it takes at most `limit` characters
 * once serialized: Slack's block size limit counts the JSON, where escaping makes text longer.
 */
export function escapedWithin(raw: string, limit: number): string {
  const whole = escapeMrkdwn(raw);
  if (serializedLength(whole) <= limit) return whole;
  let kept = '';
  let used = 0;
  for (const character of raw) {
    const piece = escapeMrkdwn(character);
    const cost = serializedLength(piece);
    if (used + cost > limit - 1) break;
    kept += piece;
    used += cost;
  }
  return `${kept}…`;
}
