import type { AccessRequest, RequestKind } from '../workflow/request';
import type { Identity, RefusalReason } from './identity';
import { type RolePolicy, standingOf } from './roles';

export interface ApprovalPolicy extends RolePolicy {
  allowSelfApproval: boolean;
}

/** Kinds a manager may decide; every other kind needs an admin. */
const MANAGER_KINDS: readonly RequestKind[] = ['user.create'];

export type DecisionRefusal =
  | { code: 'not-mapped'; identityReason: RefusalReason; email: string | undefined }
  | { code: 'not-an-approver' }
  | { code: 'managers-cannot-approve-kind' }
  | { code: 'own-request' }
  | { code: 'about-you' }
  | { code: 'already-approved' }
  | { code: 'not-pending'; status: AccessRequest['status'] }
  | { code: 'expired' }
  | { code: 'not-the-requester' }
  | { code: 'not-posted-yet' };

export type Decision =
  | { allowed: true; vamsUserId: string }
  | { allowed: false; refusal: DecisionRefusal };

export function mayApproveKind(
  roles: readonly string[],
  kind: RequestKind,
  policy: RolePolicy,
): boolean {
  const standing = standingOf(roles, policy);
  return standing.isAdmin || (standing.isManager && MANAGER_KINDS.includes(kind));
}

/**
 * PRODUCT.md section 3, at click time: mapped, an approver for this kind (roles read live), not
 * the requester unless self-approval is allowed, not the person the request is about, not twice,
 * and only while the request is pending and unexpired. Rejecting follows the same rules.
 */
export function decideOn(
  request: AccessRequest,
  clicker: Identity,
  policy: ApprovalPolicy,
  now: Date,
): Decision {
  const refuse = (refusal: DecisionRefusal): Decision => ({ allowed: false, refusal });
  if (!clicker.mapped) {
    return refuse({ code: 'not-mapped', identityReason: clicker.reason, email: clicker.email });
  }
  if (request.status !== 'pending') return refuse({ code: 'not-pending', status: request.status });
  // Decided before its card is up, a request would run where nobody can follow it.
  if (!request.card) return refuse({ code: 'not-posted-yet' });
  if (Date.parse(request.expiresAt) <= now.getTime()) return refuse({ code: 'expired' });
  if (!mayApproveKind(clicker.roles, request.kind, policy)) {
    const standing = standingOf(clicker.roles, policy);
    return refuse({
      code: standing.isManager ? 'managers-cannot-approve-kind' : 'not-an-approver',
    });
  }
  const self =
    request.requester.slackUserId === clicker.slackUserId ||
    request.requester.vamsUserId === clicker.vamsUserId;
  if (self && !policy.allowSelfApproval) return refuse({ code: 'own-request' });
  if (request.subject.toLowerCase() === clicker.vamsUserId.toLowerCase()) {
    return refuse({ code: 'about-you' });
  }
  const approvedBefore = request.approvals.some(
    (approval) =>
      approval.slackUserId === clicker.slackUserId || approval.vamsUserId === clicker.vamsUserId,
  );
  if (approvedBefore) return refuse({ code: 'already-approved' });
  return { allowed: true, vamsUserId: clicker.vamsUserId };
}
