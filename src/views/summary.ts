import { escapeMrkdwn, withSlackDates } from './mrkdwn';

// A request's summary or failure is one string that can name every step done or every person:
// a 50-person offboarding that fails at its last step says 200 step names, over 6000 characters,
// and a section holds 3000. Where it is shown in one place (the DM, the card) it is cut between
// list items; the request's thread carries the whole of it.

const SEPARATORS = ['; ', ', ', '\n'] as const;

const moreEnding = (hidden: number) =>
  `…and ${hidden} more — the full list is in the request's thread`;
const CUT_ENDING = "… — the full text is in the request's thread";

/** The separator a summary lists its items with: the most frequent of those it uses. */
function separatorOf(summary: string): string | undefined {
  let best: string | undefined;
  let bestCount = 0;
  for (const separator of SEPARATORS) {
    const count = summary.split(separator).length - 1;
    if (count > bestCount) {
      best = separator;
      bestCount = count;
    }
  }
  return best;
}

/** The longest head of `raw` whose escaped form fits `limit`, escaped, and the raw rest. */
function escapedHead(raw: string, limit: number): { head: string; rest: string } {
  let head = '';
  let taken = 0;
  for (const character of raw) {
    const piece = escapeMrkdwn(character);
    if (head.length + piece.length > limit) break;
    head += piece;
    taken += character.length;
  }
  return { head, rest: raw.slice(taken) };
}

/**
 * The summary as escaped mrkdwn of at most `limit` characters. When it is longer it is cut
 * between list items and ends with how many items were left out and where they are.
 */
/** The summary escaped and shortened to `limit`, its times as Slack dates where they fit. */
export function summaryWithin(summary: string, limit: number): string {
  return withSlackDates(plainSummaryWithin(summary, limit), limit);
}

function plainSummaryWithin(summary: string, limit: number): string {
  const whole = escapeMrkdwn(summary);
  if (whole.length <= limit) return whole;
  const separator = separatorOf(summary);
  const items = separator ? summary.split(separator).map(escapeMrkdwn) : [];
  let shown = '';
  let count = 0;
  for (const item of items) {
    const next = count === 0 ? item : `${shown}${separator}${item}`;
    const hiddenAfter = items.length - count - 1;
    if (
      hiddenAfter === 0 ||
      next.length + (separator?.length ?? 0) + moreEnding(hiddenAfter).length > limit
    )
      break;
    shown = next;
    count += 1;
  }
  if (count === 0) return `${escapedHead(summary, limit - CUT_ENDING.length).head}${CUT_ENDING}`;
  return `${shown}${separator}${moreEnding(items.length - count)}`;
}

/**
 * The whole summary as escaped mrkdwn pieces of at most `limit` characters each, cut between
 * list items where it can be. Each piece but the last ends with its separator (trimmed), so a
 * reader sees that the list goes on.
 */
export function summaryPieces(summary: string, limit: number): string[] {
  const separator = separatorOf(summary);
  const items = separator ? summary.split(separator) : [summary];
  const joint = separator?.trimEnd() ?? '';
  const pieces: string[] = [];
  let current = '';
  const push = () => {
    if (current) pieces.push(current);
    current = '';
  };
  items.forEach((raw, index) => {
    const last = index === items.length - 1;
    let rest = raw;
    while (rest) {
      const before = current ? `${current}${separator ?? ''}` : '';
      const room = limit - before.length - (last ? 0 : joint.length);
      const escaped = escapeMrkdwn(rest);
      if (escaped.length <= room) {
        current = `${before}${escaped}`;
        rest = '';
      } else if (current) {
        pieces.push(`${current}${joint}`);
        current = '';
      } else {
        // One item longer than a piece: cut by characters, and go on in the next piece.
        const { head, rest: after } = escapedHead(rest, limit);
        if (!head) throw new RangeError(`a summary piece cannot be as short as ${limit}`);
        pieces.push(head);
        rest = after;
      }
    }
  });
  push();
  return pieces.length > 0 ? pieces.map((piece) => withSlackDates(piece, limit)) : [''];
}
