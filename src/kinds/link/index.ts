import { code } from '../../views/mrkdwn';
import type { KindDefinition } from '../kind';
import { linkExecutor } from './steps';

/**
 * `/vams link`: a Slack account acts as a VAMS user, with its roles, approving included; so
 * admins approve it, and a link to an admin is privileged.
 */
export const linkKind: KindDefinition<'link'> = {
  kind: 'link',
  title: 'Link',
  filing: { by: 'admins', ownAccount: 'refused' },
  approval: { managers: false, approvals: 'one' },
  subjects: (request) => [request.params.vamsUserId],
  privilegeHolder: (request) => request.params.vamsUserId,
  // The Slack user ID was checked against Slack's id shape: it can only be a mention.
  cardFields: (request) => [
    `*Slack user*\n<@${request.params.slackUserId}>`,
    `*VAMS user*\n${code(request.params.vamsUserId)}`,
  ],
  executor: (services) => linkExecutor(services.links),
};
