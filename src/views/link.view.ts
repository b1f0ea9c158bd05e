import type { ModalView } from '@slack/types';
import type { MessageBody } from './message';
import { sectionMessage } from './message';
import { code } from './mrkdwn';
import { reasonModal } from './reason.view';

export const LINK_IDS = { callbackId: 'link' } as const;

export const LINK_TITLE = 'Link a Slack account';

/** The `Reason` dialog of `/vams link`. `slackUserId` has Slack's id shape: only a mention. */
export function linkModal(slackUserId: string, vamsUserId: string, note = ''): ModalView {
  return reasonModal({
    callbackId: LINK_IDS.callbackId,
    title: LINK_TITLE,
    submit: 'Request',
    what: `Link <@${slackUserId}> to VAMS user ${code(vamsUserId)}: in vams-chatops they will act as ${code(vamsUserId)}, with its roles, approving included.${note} An admin approves it in the approvals channel.`,
    metadata: JSON.stringify({ slackUserId, vamsUserId }),
  });
}

/** What the person whose link was removed reads. */
export function unlinkedDm(vamsUserId: string, bySlackUserId: string): MessageBody {
  return sectionMessage(
    `<@${bySlackUserId}> removed the link of your Slack account to VAMS user ${code(vamsUserId)}. vams-chatops now matches you by your confirmed Slack email, if it can (\`/vams whoami\` shows how).`,
  );
}

/** What the one who ran `/vams unlink` reads. */
export function unlinkedReply(
  slackUserId: string,
  vamsUserId: string,
  told: 'self' | 'told' | 'not-told',
): string {
  const removed =
    told === 'self'
      ? `Removed the link of your Slack account to VAMS user ${code(vamsUserId)}.`
      : `Removed the link of <@${slackUserId}> to VAMS user ${code(vamsUserId)}.`;
  if (told === 'self') return removed;
  return told === 'told'
    ? `${removed} They were told by DM.`
    : `${removed} Telling them by DM failed; please tell them.`;
}

export function noLinkReply(slackUserId: string, self: boolean): string {
  return self
    ? 'Your Slack account has no link to remove. `/vams whoami` shows how you are matched.'
    : `<@${slackUserId}> has no link to remove: they are not linked to any VAMS user.`;
}
