import { z } from 'zod';

/** Slack user IDs as Slack writes them: only these may become mentions on the card. */
export const SLACK_USER_ID = /^[UW][A-Z0-9]{2,}$/;

/** A link needs the Slack user and the VAMS user it ties together. */
export const linkParams = z.object({
  slackUserId: z.string().regex(SLACK_USER_ID),
  vamsUserId: z.string(),
});
export type LinkParams = z.infer<typeof linkParams>;
