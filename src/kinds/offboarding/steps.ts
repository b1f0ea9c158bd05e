import type { AdminRoleGuard } from '../../domain/admin-role-guard';
import { DomainError, isUserGone } from '../../domain/errors';
import { type AccessRequest, expectKind, type RequestOf } from '../../domain/request';
import { logAuthChange } from '../../workflow/auth-changes';
import { deactivateKeysOf, type KeyDeactivationPorts } from '../../workflow/key-deactivation';
import type { KindExecutor, Step, StepContext } from '../../workflow/steps';

export interface OffboardingPorts {
  userRoles: {
    rolesOf(userId: string): Promise<string[]>;
    removeRole(userId: string, roleName: string): Promise<'removed' | 'absent'>;
    holdersOf(roleNames: readonly string[]): Promise<string[]>;
  };
  apiKeys: KeyDeactivationPorts;
  /** The only way an admin-role row is removed: it refuses to remove the last one. */
  adminGuard: AdminRoleGuard;
  /** Undefined when users live in an external identity provider: roles and keys only. */
  cognito:
    | {
        signOutEverywhere(userId: string): Promise<void>;
        disableUser(userId: string): Promise<void>;
        deleteUser(userId: string): Promise<void>;
      }
    | undefined;
  adminRoles: readonly string[];
}

/** A Cognito call on someone who may already be gone: gone is done. */
async function unlessGone(call: () => Promise<void>, done: string): Promise<string> {
  try {
    await call();
    return done;
  } catch (error) {
    if (isUserGone(error)) return 'no Cognito user (already gone)';
    throw error;
  }
}

const params = (request: AccessRequest) => expectKind(request, 'user.offboard').params;

/** Nobody may leave VAMS without an admin; checked when asked and again right before acting. */
export async function lastAdminProblem(
  ports: Pick<OffboardingPorts, 'userRoles' | 'adminRoles'>,
  leaving: readonly string[],
): Promise<string | undefined> {
  // Most people leaving hold no admin role: then nobody else needs to be read (no Scan).
  const held = await Promise.all(leaving.map((userId) => ports.userRoles.rolesOf(userId)));
  if (!held.some((roles) => roles.some((role) => ports.adminRoles.includes(role))))
    return undefined;
  const admins = await ports.userRoles.holdersOf(ports.adminRoles);
  // VAMS user IDs are case-sensitive: `Ada` leaving is not `ada` leaving.
  const gone = new Set(leaving);
  const leavingAdmins = admins.filter((admin) => gone.has(admin));
  const remaining = admins.filter((admin) => !gone.has(admin));
  if (leavingAdmins.length === 0 || remaining.length > 0) return undefined;
  return lastAdminText(leavingAdmins);
}

function lastAdminText(admins: readonly string[]): string {
  return `this would remove the last VAMS admin (${admins.join(', ')}); make someone else an admin first`;
}

/**
 * Offboarding, per person and in this order: VAMS role rows, API keys, sessions, then the
 * Cognito user. Roles and keys go first so that VAMS refuses the person even while an access
 * token still lives; each step is recorded, so a retry resumes after the last one done.
 */
export function offboardingExecutor(ports: OffboardingPorts): KindExecutor {
  const safeguard: Step = {
    name: 'last-admin-check',
    label: 'Check that an admin remains',
    run: async (context) => {
      const problem = await lastAdminProblem(ports, params(context.request).userIds);
      if (problem) throw new DomainError('last-admin', problem);
      return 'an admin remains';
    },
  };

  const stepsFor = (request: RequestOf<'user.offboard'>, userId: string): Step[] => {
    const removeRoles: Step = {
      name: `roles:${userId}`,
      label: `Remove the VAMS roles of ${userId}`,
      run: async (context: StepContext) => {
        const roles = await ports.userRoles.rolesOf(userId);
        const isAdminRole = (role: string) => ports.adminRoles.includes(role);
        // Admin roles first, each through the guard, which counts the other admins and removes
        // the row in one transaction: a Retry or a resume skips the first step, and offboardings
        // running at the same moment could each pass a separate check. A refusal then leaves this
        // person's other roles in place.
        for (const roleName of roles.filter(isAdminRole)) {
          const removal = await ports.adminGuard.removeAdminRole(userId, roleName);
          if (removal === 'last-admin')
            throw new DomainError('last-admin', lastAdminText([userId]));
          logAuthChange(context.log, 'userRoleDelete', context.request, { userId, roleName });
        }
        for (const roleName of roles.filter((role) => !isAdminRole(role))) {
          await ports.userRoles.removeRole(userId, roleName);
          logAuthChange(context.log, 'userRoleDelete', context.request, { userId, roleName });
        }
        return roles.length > 0 ? `removed ${roles.join(', ')}` : 'held no roles';
      },
    };
    const deactivateKeys: Step = {
      name: `keys:${userId}`,
      label: `Deactivate the API keys of ${userId}`,
      run: async (context: StepContext) => {
        const deactivated = await deactivateKeysOf(ports.apiKeys, userId, context);
        return deactivated > 0 ? `deactivated ${deactivated}` : 'no active keys';
      },
    };
    const cognito = ports.cognito;
    if (!cognito) return [removeRoles, deactivateKeys];
    const signOut: Step = {
      name: `signout:${userId}`,
      label: `Sign ${userId} out everywhere`,
      run: () => unlessGone(() => cognito.signOutEverywhere(userId), 'refresh tokens revoked'),
    };
    const remove: Step = {
      name: `cognito:${userId}`,
      label: `${request.params.action === 'delete' ? 'Delete' : 'Disable'} Cognito user ${userId}`,
      run: async (context: StepContext) => {
        const deleting = request.params.action === 'delete';
        const detail = await unlessGone(
          () => (deleting ? cognito.deleteUser(userId) : cognito.disableUser(userId)),
          deleting ? 'deleted' : 'disabled',
        );
        logAuthChange(
          context.log,
          deleting ? 'cognitoUserDelete' : 'cognitoUserUpdate',
          context.request,
          {
            userId,
            action: request.params.action,
          },
        );
        return detail;
      },
    };
    return [removeRoles, deactivateKeys, signOut, remove];
  };

  return {
    steps: (candidate) => {
      const request = expectKind(candidate, 'user.offboard');
      return [safeguard, ...request.params.userIds.flatMap((userId) => stepsFor(request, userId))];
    },
    summary: (candidate) => {
      const { userIds, action } = params(candidate);
      const who = userIds.length === 1 ? userIds[0] : `${userIds.length} users`;
      const cognitoPart = ports.cognito
        ? ` signed out everywhere and ${action === 'delete' ? 'deleted' : 'disabled'} in Cognito`
        : ' (their accounts live in the identity provider)';
      return `Offboarded ${who}: VAMS roles removed, API keys deactivated,${cognitoPart}. Access tokens already issued stay valid until they expire (up to an hour); VAMS may accept a revoked key for about 45 s more.`;
    },
  };
}
