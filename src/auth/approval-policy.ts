import type { AccessRequest, RequestKind } from '../domain/request';
import { definitionOf, subjectsOf } from '../kinds/registry';
import type { Identity, RefusalReason } from './identity';
import { type RolePolicy, standingOf } from './roles';

export interface ApprovalPolicy extends RolePolicy {
  allowSelfApproval: boolean;
  /** Distinct admins a privileged request needs (PRIVILEGED_APPROVALS). */
  privilegedApprovals: number;
  /** Roles a manager may approve in onboarding (MANAGER_GRANTABLE_ROLES); empty: non-admin ones. */
  managerGrantableRoles: readonly string[];
}

export type DecisionRefusal =
  | { code: 'not-mapped'; identityReason: RefusalReason; email: string | undefined }
  | { code: 'not-an-approver' }
  | { code: 'managers-cannot-approve-kind' }
  | { code: 'privileged-needs-admin'; roles: string[] }
  | { code: 'manager-cannot-grant'; roles: string[] }
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

/** Someone who decides, with the roles they hold now. */
export interface Approver {
  slackUserId: string;
  vamsUserId: string;
  roles: readonly string[];
}

export function mayApproveKind(
  roles: readonly string[],
  kind: RequestKind,
  policy: RolePolicy,
): boolean {
  const standing = standingOf(roles, policy);
  return standing.isAdmin || (standing.isManager && definitionOf(kind).approval.managers);
}

/**
 * The VAMS user whose live roles make a request privileged: an API key acts with every role its
 * owner holds, so a key for an admin is an admin credential.
 */
export function privilegeHolder(request: AccessRequest): string | undefined {
  return definitionOf(request.kind).privilegeHolder(request);
}

/**
 * The admin roles a request would give someone: onboarding's roles, or the roles of its
 * `privilegeHolder` (`holderRoles`, empty when it has none).
 */
export function privilegedRoles(
  request: AccessRequest,
  policy: RolePolicy,
  holderRoles: readonly string[],
): string[] {
  // Break-glass is granted without approval and reviewed afterwards: the privilege rules,
  // which are about who may approve, do not apply to it.
  if (definitionOf(request.kind).approval.approvals === 'none') return [];
  const given = definitionOf(request.kind).grants(request) ?? holderRoles;
  return [...new Set(given.filter((role) => policy.adminRoles.includes(role)))];
}

/** Distinct approvals a request needs: its kind's number, and at least PRIVILEGED_APPROVALS. */
export function quorumOf(
  kindApprovals: number,
  privileged: readonly string[],
  policy: Pick<ApprovalPolicy, 'privilegedApprovals'>,
): number {
  return privileged.length > 0
    ? Math.max(kindApprovals, policy.privilegedApprovals)
    : kindApprovals;
}

function managerMayGrant(role: string, policy: ApprovalPolicy): boolean {
  if (policy.adminRoles.includes(role)) return false;
  return policy.managerGrantableRoles.length === 0 || policy.managerGrantableRoles.includes(role);
}

/**
 * Whether this person may approve this request, whatever its state: an approver for the kind
 * (admins only when privileged; managers only for roles they may grant), not the requester,
 * not someone it is about. VAMS user IDs are compared exactly, as VAMS does.
 */
export function approverRefusal(
  request: AccessRequest,
  approver: Approver,
  policy: ApprovalPolicy,
): DecisionRefusal | undefined {
  const standing = standingOf(approver.roles, policy);
  if (!mayApproveKind(approver.roles, request.kind, policy)) {
    return { code: standing.isManager ? 'managers-cannot-approve-kind' : 'not-an-approver' };
  }
  const privileged = request.privileged ?? [];
  if (privileged.length > 0 && !standing.isAdmin) {
    return { code: 'privileged-needs-admin', roles: privileged };
  }
  // A manager approves only roles they may grant, whatever the kind gives.
  const grants = definitionOf(request.kind).grants(request) ?? [];
  if (!standing.isAdmin) {
    const beyond = grants.filter((role) => !managerMayGrant(role, policy));
    if (beyond.length > 0) return { code: 'manager-cannot-grant', roles: beyond };
  }
  const self =
    request.requester.slackUserId === approver.slackUserId ||
    request.requester.vamsUserId === approver.vamsUserId;
  if (self && !policy.allowSelfApproval) return { code: 'own-request' };
  const aboutThem =
    subjectsOf(request).includes(approver.vamsUserId) ||
    (request.subjectSlackUserIds ?? []).includes(approver.slackUserId);
  if (aboutThem) return { code: 'about-you' };
  return undefined;
}

/**
 * Who may decide, at click time: mapped, an approver for this request (roles read live),
 * not the requester unless self-approval is allowed, not the person the request is about, not
 * twice, and only while the request is pending and unexpired. Rejecting follows the same rules.
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
  const personal = approverRefusal(request, clicker, policy);
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
  // A break-glass grant once reviewed (kept or revoked) is not given again by a Retry: it
  // would be a grant nobody reviews.
  const reviewed = request.requiredApprovals === 0 && request.review !== undefined;
  if (request.status !== 'failed' || !ran || reviewed)
    return refuse({ code: 'not-retryable', status: request.status });
  const personal = approverRefusal(request, clicker, policy);
  return personal ? refuse(personal) : { allowed: true, vamsUserId: clicker.vamsUserId };
}
