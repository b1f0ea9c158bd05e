import type { KnownBlock } from '@slack/types';

/** A message body: top-level text is always present (notifications, screen readers). */
export interface MessageBody {
  text: string;
  blocks: KnownBlock[];
}
