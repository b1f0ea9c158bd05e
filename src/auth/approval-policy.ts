import { type AccessRequest, type RequestKind, subjectsOf } from '../workflow/request';
import { type Identity, type RefusalReason, sameVamsUser } from './identity';
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
  | { code: 'not-posted-yet' }
  | { code: 'not-retryable'; status: AccessRequest['status'] };

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

/** Who may decide this kind at all: an approver, not the requester, not the person it is about. */
function personalRefusal(
  request: AccessRequest,
  clicker: Extract<Identity, { mapped: true }>,
  policy: ApprovalPolicy,
): DecisionRefusal | undefined {
  if (!mayApproveKind(clicker.roles, request.kind, policy)) {
    const standing = standingOf(clicker.roles, policy);
    return { code: standing.isManager ? 'managers-cannot-approve-kind' : 'not-an-approver' };
  }
  const self =
    request.requester.slackUserId === clicker.slackUserId ||
    request.requester.vamsUserId === clicker.vamsUserId;
  if (self && !policy.allowSelfApproval) return { code: 'own-request' };
  if (subjectsOf(request).some((subject) => sameVamsUser(subject, clicker.vamsUserId)))
    return { code: 'about-you' };
  return undefined;
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
  const personal = personalRefusal(request, clicker, policy);
  if (personal) return refuse(personal);
  const approvedBefore = request.approvals.some(
    (approval) =>
      approval.slackUserId === clicker.slackUserId || approval.vamsUserId === clicker.vamsUserId,
  );
  if (approvedBefore) return refuse({ code: 'already-approved' });
  return { allowed: true, vamsUserId: clicker.vamsUserId };
}

/**
 * Retrying a failed request runs the rest of what was already approved: the same people may
 * do it as could approve it, whether or not they approved it before.
 */
export function decideRetry(
  request: AccessRequest,
  clicker: Identity,
  policy: ApprovalPolicy,
): Decision {
  const refuse = (refusal: DecisionRefusal): Decision => ({ allowed: false, refusal });
  if (!clicker.mapped) {
    return refuse({ code: 'not-mapped', identityReason: clicker.reason, email: clicker.email });
  }
  const ran = request.approvals.length >= request.requiredApprovals;
  if (request.status !== 'failed' || !ran)
    return refuse({ code: 'not-retryable', status: request.status });
  const personal = personalRefusal(request, clicker, policy);
  return personal ? refuse(personal) : { allowed: true, vamsUserId: clicker.vamsUserId };
}
