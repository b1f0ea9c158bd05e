import type { KnownBlock } from '@slack/types';
import type { Identity, MappedIdentity } from '../auth/identity';
import type { Standing } from '../auth/roles';
import type { MessageBody } from './message';
import { code, slackDate } from './mrkdwn';
import { explainRefusal } from './reasons';

const SLACK_USER_ID = /^[UW][A-Z0-9]{2,}$/;

/** "a link made by @ada on <date> (R…)", with whatever of that the link recorded. */
function linkText(link: MappedIdentity['link']): string {
  if (!link?.linkedBy) return 'an explicit link set by an admin';
  const by = SLACK_USER_ID.test(link.linkedBy) ? `<@${link.linkedBy}>` : code(link.linkedBy);
  const on =
    link.linkedAt && !Number.isNaN(Date.parse(link.linkedAt))
      ? ` on ${slackDate(link.linkedAt)}`
      : '';
  const request = link.requestId ? ` (${code(link.requestId)})` : '';
  return `a link made by ${by}${on}${request}`;
}

function matchedBy(identity: MappedIdentity): string {
  const { vamsUserId } = identity;
  switch (identity.source) {
    case 'link':
      return linkText(identity.link);
    case 'email-is-user-id':
      return 'your confirmed Slack email, which is your VAMS user ID';
    case 'cognito-email':
      return `your confirmed Slack email, which is the email of Cognito user ${code(vamsUserId)}`;
  }
}

function approvalRights(standing: Standing): string {
  if (standing.isAdmin) return 'every kind of request';
  if (standing.isManager) return 'onboarding requests (`/vams user create`)';
  return 'nothing (approving needs an admin or manager role)';
}

export function whoamiMessage(identity: Identity, standing: Standing): MessageBody {
  if (!identity.mapped) {
    const text = `You are not mapped to a VAMS user. ${explainRefusal(identity.reason, identity.email)}`;
    return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
  }
  const roles =
    identity.roles.length > 0
      ? identity.roles.map((role) => code(role)).join(', ')
      : 'none yet: you hold no VAMS role';
  const fields = [
    `*Slack:* <@${identity.slackUserId}>`,
    `*VAMS user:* ${code(identity.vamsUserId)}`,
    `*Matched by:* ${matchedBy(identity)}`,
    `*Roles:* ${roles}`,
    `*You can approve:* ${approvalRights(standing)}`,
  ];
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: fields.join('\n') } },
  ];
  return {
    text: `You are VAMS user ${identity.vamsUserId}; roles: ${identity.roles.join(', ') || 'none'}`,
    blocks,
  };
}
