import type { Identity, RefusalReason } from '../auth/identity';

const REFUSAL_TEXT: Record<RefusalReason, string> = {
  'unknown-slack-user': 'is unknown to Slack',
  bot: 'is a bot',
  deleted: 'is deactivated',
  guest: 'is a guest',
  'foreign-workspace': 'belongs to another workspace',
  'no-confirmed-email': 'has no confirmed email',
  'no-match': 'is no VAMS user',
  'ambiguous-email': 'has an email that matches more than one VAMS user',
};

/** How a refused recipient is described in a request's thread, after "the Slack account …". */
export function recipientRefusalText(reason: RefusalReason): string {
  return REFUSAL_TEXT[reason];
}

/**
 * Why this Slack person may not receive a secret of VAMS user `vamsUserId` (an API key): they
 * must pass the identity rules and be that very user (VAMS user IDs are case-sensitive).
 * Undefined when they may.
 */
export async function keyRecipientProblem(
  identify: (slackUserId: string) => Promise<Identity>,
  slackUserId: string,
  vamsUserId: string,
): Promise<string | undefined> {
  const identity = await identify(slackUserId);
  if (!identity.mapped)
    return `the Slack account ${slackUserId} ${recipientRefusalText(identity.reason)}`;
  if (identity.vamsUserId !== vamsUserId)
    return `the Slack account ${slackUserId} is VAMS user ${identity.vamsUserId}, not ${vamsUserId}`;
  return undefined;
}
