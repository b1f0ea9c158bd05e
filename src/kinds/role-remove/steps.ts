import { z } from 'zod';
import type { AdminRoleGuard } from '../../domain/admin-role-guard';
import { DomainError } from '../../domain/errors';
import type { GrantEntry } from '../../domain/grant';
import { expectKind, outputOf } from '../../domain/request';
import { logAuthChange } from '../../workflow/auth-changes';
import type { KindExecutor } from '../../workflow/steps';

export interface RoleRemovePorts {
  grants: {
    remove(
      userId: string,
      roleName: string,
      at: Date,
    ): Promise<{ row: 'removed' | 'absent'; ended: GrantEntry[] }>;
  };
  /** The only way an admin-role row is removed: it refuses to remove the last one. */
  adminGuard: AdminRoleGuard;
  adminRoles: readonly string[];
}

const removed = z.object({
  row: z.enum(['removed', 'absent']),
  endedGrants: z.array(z.string()),
});

const STEP = 'remove-role';

/** `/vams role remove`: VAMS's row deleted, and any grant of the role ended with it. */
export function roleRemoveExecutor(ports: RoleRemovePorts): KindExecutor {
  return {
    steps: (candidate) => {
      const { params } = expectKind(candidate, 'role.remove');
      return [
        {
          name: STEP,
          label: `Remove VAMS role ${params.roleName} from ${params.userId}`,
          run: async (context) => {
            const request = expectKind(context.request, 'role.remove');
            const { userId, roleName } = request.params;
            let adminRow: 'removed' | 'absent' | undefined;
            if (ports.adminRoles.includes(roleName)) {
              // Right before the delete, and atomic with it: an admin always remains.
              const removal = await ports.adminGuard.removeAdminRole(userId, roleName);
              if (removal === 'last-admin') {
                throw new DomainError(
                  'last-admin',
                  `${userId} is the last holder of admin role ${roleName}; make someone else an admin first`,
                );
              }
              adminRow = removal;
            }
            const result = await ports.grants.remove(userId, roleName, context.now);
            const row = adminRow === 'removed' ? 'removed' : result.row;
            logAuthChange(context.log, 'userRoleDelete', request, {
              userId,
              roleName,
              result: row,
            });
            const endedGrants = result.ended.map((grant) => grant.grantId);
            const detail =
              row === 'removed'
                ? `removed${endedGrants.length > 0 ? `; grant ${endedGrants.join(', ')} ended with it` : ''}`
                : `${userId} did not hold ${roleName}; nothing to remove`;
            return { detail, output: { row, endedGrants } };
          },
        },
      ];
    },
    summary: (candidate) => {
      const request = expectKind(candidate, 'role.remove');
      const { userId, roleName } = request.params;
      const output = outputOf(request, STEP, removed);
      if (output?.row === 'absent')
        return `${userId} did not hold VAMS role ${roleName}; nothing changed.`;
      return `VAMS role ${roleName} was removed from ${userId}. VAMS takes up to ~30 s to notice.`;
    },
  };
}

/**
 * Why removing this row would leave no admin, or undefined. Read when the dialog is submitted
 * and when it is approved; the guard decides again, atomically, right before the delete.
 */
export async function lastAdminRemovalProblem(
  userRoles: {
    rowsWithRoles(roleNames: readonly string[]): Promise<{ userId: string; roleName: string }[]>;
  },
  adminRoles: readonly string[],
  userId: string,
  roleName: string,
  /** True for a row there only because of a grant that ends by itself: it does not stay. */
  grantHeld: (row: { userId: string; roleName: string }) => Promise<boolean> = async () => false,
): Promise<string | undefined> {
  if (!adminRoles.includes(roleName)) return undefined;
  const rows = await userRoles.rowsWithRoles(adminRoles);
  const others = rows.filter((row) => !(row.userId === userId && row.roleName === roleName));
  const held = await Promise.all(others.map((row) => grantHeld(row)));
  if (others.some((_, index) => !held[index])) return undefined;
  return `${userId} is the last holder of admin role ${roleName}; make someone else an admin first`;
}
