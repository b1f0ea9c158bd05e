/** A Slack user group or a Slack user to mention. */
export interface Mention {
  type: 'usergroup' | 'user';
  id: string;
}

/** Mentions as Slack writes them; ids are checked at start-up, so none can break out. */
export function mentionsText(mentions: readonly Mention[]): string {
  return mentions
    .map((mention) =>
      mention.type === 'usergroup' ? `<!subteam^${mention.id}>` : `<@${mention.id}>`,
    )
    .join(' ');
}
