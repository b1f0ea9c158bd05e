import { code } from '../../views/mrkdwn';
import type { KindDefinition } from '../kind';
import { roleRemoveExecutor } from './steps';

/** `/vams role remove`: one VAMS role row deleted; the last admin's admin role never is. */
export const roleRemoveKind: KindDefinition<'role.remove'> = {
  kind: 'role.remove',
  title: 'Role removal',
  filing: { by: 'admins' },
  approval: { managers: false, approvals: 'one' },
  subjects: (request) => [request.params.userId],
  cardFields: ({ params }) => [
    `*User ID*\n${code(params.userId)}`,
    `*Role*\n${code(params.roleName)}`,
  ],
  executor: (services) =>
    roleRemoveExecutor({
      grants: services.roleGrants.grants,
      adminGuard: services.adminGuard,
      adminRoles: services.adminRoles,
    }),
};
