import type { AccessRequest } from '../domain/request';
import type { AppLogger } from '../logging';

/** VAMS's own audit line, written by the bot because it bypasses the VAMS API; no secrets. */
export function logAuthChangeBy(
  log: AppLogger,
  type: string,
  actor: { users: string[]; roles: string[] },
  detail: Record<string, unknown>,
): void {
  const roles = [...new Set(actor.roles)].join(',');
  log.info(
    `[AUTHCHANGES][type: ${type}] [user: ${actor.users.join(',')}] [roles: ${roles}] [mfaEnabled: false] ${JSON.stringify(detail)}`,
  );
}

/** The audit line of a step of an approved request: the approvers are who made the change. */
export function logAuthChange(
  log: AppLogger,
  type: string,
  request: AccessRequest,
  detail: Record<string, unknown>,
): void {
  const approvers = request.approvals.map((approval) => approval.vamsUserId);
  logAuthChangeBy(
    log,
    type,
    { users: approvers, roles: request.approvals.flatMap((approval) => approval.roles) },
    { requestId: request.id, requester: request.requester.vamsUserId, approvers, ...detail },
  );
}
