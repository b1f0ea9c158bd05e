import type { KnownBlock } from '@slack/types';

/** A message body: top-level text is always present (notifications, screen readers). */
export interface MessageBody {
  text: string;
  blocks: KnownBlock[];
}

/** A message of one mrkdwn section, whose text is also the notification text. */
export function sectionMessage(text: string): MessageBody {
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}
