import { durationLabel } from '../../domain/grant';
import type { RoleAssignParams } from '../../domain/request';
import { listWithin } from '../../views/fit';
import { code } from '../../views/mrkdwn';
import type { KindDefinition } from '../kind';
import { roleGrantExecutor } from './steps';

function roleFields(params: RoleAssignParams): string[] {
  return [
    `*User ID*\n${code(params.userId)}`,
    // Section fields hold 2000 characters; a request may name many long roles.
    `*Roles*\n${listWithin(params.roles.map(code), ', ', 1900)}`,
    `*Duration*\n${params.minutes ? `${durationLabel(params.minutes)}, then the roles end by themselves` : 'Permanent'}`,
  ];
}

/** `/vams role assign`: VAMS role rows for a user, permanent or ending by themselves. */
export const roleAssignKind: KindDefinition<'role.assign'> = {
  kind: 'role.assign',
  title: 'Role assignment',
  filing: { by: 'admins' },
  approval: { managers: false, approvals: 'one' },
  subjects: (request) => [request.params.userId],
  grants: (request) => request.params.roles,
  cardFields: (request) => roleFields(request.params),
  executor: (services) => roleGrantExecutor(services.roleGrants),
};

/** `/vams role request`: a time-bound grant someone asks for themselves. */
export const roleRequestKind: KindDefinition<'role.request'> = {
  kind: 'role.request',
  title: 'Role grant',
  filing: { by: 'admins', ownAccount: 'anyone' },
  approval: { managers: false, approvals: 'one' },
  subjects: (request) => [request.params.userId],
  grants: (request) => request.params.roles,
  cardFields: (request) => roleFields(request.params),
  executor: (services) => roleGrantExecutor(services.roleGrants),
};
