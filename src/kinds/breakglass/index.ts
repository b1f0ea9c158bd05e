import { durationLabel } from '../../domain/grant';
import { REVIEW_WINDOW_MS } from '../../domain/request';
import { code, slackDate } from '../../views/mrkdwn';
import type { KindDefinition } from '../kind';
import { roleGrantExecutor } from '../role-assign/steps';

/**
 * `/vams breakglass <role>`: a role for oneself at once, for people allowed to break glass, for
 * the roles they may. Announced on its card; an admin other than the grantee reviews it.
 */
export const breakglassKind: KindDefinition<'breakglass'> = {
  kind: 'breakglass',
  title: 'Break-glass',
  // Who may break glass is its own rule (BREAKGLASS_ALLOWED), checked before filing.
  filing: { by: 'admins', ownAccount: 'anyone' },
  approval: { managers: false, approvals: 'none' },
  subjects: (request) => [request.params.userId],
  grants: (request) => request.params.roles,
  cardFields: (request) => [
    `*User ID*\n${code(request.params.userId)}`,
    `*Role*\n${request.params.roles.map(code).join(', ')}`,
    `*Duration*\n${durationLabel(request.params.minutes)}, then the role ends by itself`,
    `*Review by*\n${slackDate(new Date(Date.parse(request.createdAt) + REVIEW_WINDOW_MS).toISOString())}, by an admin other than <@${request.requester.slackUserId}>`,
  ],
  executor: (services) => roleGrantExecutor(services.roleGrants),
};
