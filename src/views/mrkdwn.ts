/** Slack's mrkdwn control characters; user-supplied text must not be able to mention or link. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Inline code for a value that came from a person or from VAMS. */
export function code(text: string): string {
  return `\`${escapeMrkdwn(text).replace(/`/g, "'")}\``;
}

/** `<!date…>` renders in each reader's time zone; the fallback is for notifications. */
export function slackDate(iso: string): string {
  const epoch = Math.floor(Date.parse(iso) / 1000);
  return `<!date^${epoch}^{date_short_pretty} {time}|${iso.slice(0, 16).replace('T', ' ')} UTC>`;
}

// Steps and summaries are plain text, escaped where shown; their times read "2026-12-04 14:08
// UTC". Shown in Slack, each becomes a date in the reader's zone, as cards show them.
const UTC_TIME = /\b(\d{4}-\d\d-\d\d) (\d\d:\d\d) UTC\b/g;

/**
 * Escaped text with its "YYYY-MM-DD HH:MM UTC" times as Slack dates, as many as fit in `limit`
 * characters (a date's markup is longer than its text); the rest stay as they are.
 */
export function withSlackDates(escaped: string, limit: number): string {
  let length = escaped.length;
  return escaped.replace(UTC_TIME, (whole, day: string, time: string) => {
    const date = slackDate(`${day}T${time}:00.000Z`);
    if (Number.isNaN(Date.parse(`${day}T${time}:00.000Z`))) return whole;
    if (length + date.length - whole.length > limit) return whole;
    length += date.length - whole.length;
    return date;
  });
}
