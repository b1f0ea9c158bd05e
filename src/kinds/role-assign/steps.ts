import { z } from 'zod';
import { DomainError } from '../../domain/errors';
import { durationLabel, type GrantEntry, grantIdOf } from '../../domain/grant';
import { type AccessRequest, outputOf, type RequestOf } from '../../domain/request';
import { logAuthChange } from '../../workflow/auth-changes';
import type { KindExecutor, Step } from '../../workflow/steps';

export type GrantOutcome = 'granted' | 'extended' | 'held-permanently' | 'already';

export interface RoleGrantPorts {
  grants: {
    grant(userId: string, roleName: string, entry: GrantEntry, at: Date): Promise<GrantOutcome>;
    assignPermanently(
      userId: string,
      roleName: string,
      at: Date,
    ): Promise<{ row: 'added' | 'existed'; ended: GrantEntry[] }>;
  };
  /** The names among these that VAMS's roles table does not hold, read now. */
  missingRoles(roleNames: readonly string[]): Promise<string[]>;
  /** The Slack user a VAMS user is, to tell them of their grants' ends; undefined if unknown. */
  slackUserOf(vamsUserId: string): Promise<string | undefined>;
}

type RoleRequest = RequestOf<'role.assign'> | RequestOf<'role.request'> | RequestOf<'breakglass'>;

function asRoleRequest(request: AccessRequest): RoleRequest {
  if (request.kind === 'role.assign' || request.kind === 'role.request') return request;
  if (request.kind === 'breakglass') return request;
  throw new Error(`a role step was given a ${request.kind} request (${request.id})`);
}

const assigned = z.object({
  roleName: z.string(),
  /** Absent: assigned permanently. */
  grantId: z.string().optional(),
  end: z.string().optional(),
  outcome: z.enum(['granted', 'extended', 'held-permanently', 'already', 'added', 'existed']),
  /** Grants that were running and became permanent with this assignment. */
  madePermanent: z.array(z.string()).optional(),
});
type Assigned = z.infer<typeof assigned>;

const stepName = (roleName: string) => `role:${roleName}`;

/** As the thread shows times: minutes, in UTC. */
const utc = (iso: string | undefined) => `${(iso ?? '').slice(0, 16).replace('T', ' ')} UTC`;

function grantDetail(output: Assigned, userId: string): string {
  const role = output.roleName;
  switch (output.outcome) {
    case 'granted':
    case 'already':
      return `${userId} holds ${role} until ${utc(output.end)} (grant ${output.grantId})`;
    case 'extended':
      return `${userId} already held ${role} under another grant; it now lasts until ${utc(output.end)} at least (grant ${output.grantId})`;
    case 'held-permanently':
      return `${userId} already held ${role} permanently; grant ${output.grantId} is recorded and the role stays after it ends`;
    case 'added':
      return `${userId} holds ${role} permanently`;
    case 'existed':
      return output.madePermanent?.length
        ? `${userId} holds ${role} permanently now; grant ${output.madePermanent.join(', ')} no longer ends it`
        : `${userId} already held ${role} permanently`;
  }
}

/** Role assignment and self-requested grants: each role a row in VAMS's format. */
export function roleGrantExecutor(ports: RoleGrantPorts): KindExecutor {
  const assignRole = (request: RoleRequest, roleName: string, index: number): Step => ({
    name: stepName(roleName),
    label: request.params.minutes
      ? `Grant VAMS role ${roleName} for ${durationLabel(request.params.minutes)}`
      : `Assign VAMS role ${roleName}`,
    run: async (context) => {
      const current = asRoleRequest(context.request);
      const { userId, minutes } = current.params;
      // VAMS accepts only roles its roles table holds: one deleted since filing is refused.
      if ((await ports.missingRoles([roleName])).length > 0) {
        throw new DomainError('role-missing', `VAMS role ${roleName} no longer exists`);
      }
      let output: Assigned;
      if (minutes) {
        const grantee =
          current.kind !== 'role.assign'
            ? current.requester.slackUserId
            : await ports.slackUserOf(userId);
        const entry: GrantEntry = {
          grantId: grantIdOf(current.id, index),
          requestId: current.id,
          requestedBy: current.requester.slackUserId,
          ...(grantee ? { granteeSlackUserId: grantee } : {}),
          start: context.now.toISOString(),
          end: new Date(context.now.getTime() + minutes * 60_000).toISOString(),
        };
        const outcome = await ports.grants.grant(userId, roleName, entry, context.now);
        output = { roleName, grantId: entry.grantId, end: entry.end, outcome };
      } else {
        const { row, ended } = await ports.grants.assignPermanently(userId, roleName, context.now);
        output = {
          roleName,
          outcome: row,
          ...(ended.length > 0 ? { madePermanent: ended.map((grant) => grant.grantId) } : {}),
        };
      }
      logAuthChange(context.log, 'userRoleCreate', current, {
        userId,
        roleName,
        result: output.outcome,
        ...(output.grantId ? { grantId: output.grantId, until: output.end } : {}),
      });
      return { detail: grantDetail(output, userId), output };
    },
  });

  return {
    steps: (candidate) => {
      const request = asRoleRequest(candidate);
      return request.params.roles.map((roleName, index) => assignRole(request, roleName, index));
    },
    summary: (candidate) => {
      const request = asRoleRequest(candidate);
      const lines = request.params.roles.flatMap((roleName) => {
        const output = outputOf(request, stepName(roleName), assigned);
        return output ? [grantDetail(output, request.params.userId)] : [];
      });
      const ends = request.params.minutes
        ? ' Each grant ends by itself; the grantee is reminded 15 minutes before.'
        : '';
      return `${lines.join('. ')}.${ends}`;
    },
  };
}
