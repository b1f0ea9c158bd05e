import { listWithin } from '../../views/fit';
import { code } from '../../views/mrkdwn';
import type { KindDefinition } from '../kind';
import { offboardingExecutor } from './steps';

/** `/vams user offboard`: roles and keys removed, then the Cognito user deleted or disabled. */
export const offboardingKind: KindDefinition<'user.offboard'> = {
  kind: 'user.offboard',
  title: 'Offboarding',
  filing: { by: 'admins', ownAccount: 'refused' },
  approval: { managers: false, approvals: 'offboard' },
  subjects: (request) => request.params.userIds,
  cardFields: ({ params }) => [
    `*User ID${params.userIds.length === 1 ? '' : 's'}*\n${listWithin(params.userIds.map(code), ', ', 1900)}`,
    `*Action*\n${params.action === 'delete' ? 'delete the Cognito user' : 'disable the Cognito user'}, after removing every VAMS role and deactivating every API key`,
  ],
  // Roles and keys are VAMS's own: offboarding works with an external identity provider too.
  executor: (services) =>
    offboardingExecutor({
      userRoles: services.userRoles,
      apiKeys: services.apiKeys,
      adminGuard: services.adminGuard,
      cognito: services.cognito,
      adminRoles: services.adminRoles,
    }),
};
