import type { Identity, MappedIdentity } from './identity';

export interface BreakglassPolicy {
  /** Holders of one of these roles may break glass (BREAKGLASS_ALLOWED); empty: nobody. */
  allowed: readonly string[];
  /** The roles break-glass may give (BREAKGLASS_ROLES). */
  roles: readonly string[];
  maxMinutes: number;
}

export type BreakglassRefusal =
  | { code: 'off' }
  | { code: 'not-mapped'; identity: Extract<Identity, { mapped: false }> }
  | { code: 'not-allowed'; allowed: readonly string[] }
  | { code: 'role-not-offered'; role: string; roles: readonly string[] }
  | { code: 'already-held'; role: string };

/**
 * Whether this person may break glass for this role now, with the roles they hold now: the
 * configuration says who and for what; nobody needs it for a role they hold already.
 */
export function breakglassRefusal(
  identity: Identity,
  role: string,
  policy: BreakglassPolicy,
): { allowed: true; requester: MappedIdentity } | { allowed: false; refusal: BreakglassRefusal } {
  const refuse = (refusal: BreakglassRefusal) => ({ allowed: false as const, refusal });
  if (policy.allowed.length === 0 || policy.roles.length === 0) return refuse({ code: 'off' });
  if (!identity.mapped) return refuse({ code: 'not-mapped', identity });
  if (!identity.roles.some((held) => policy.allowed.includes(held))) {
    return refuse({ code: 'not-allowed', allowed: policy.allowed });
  }
  // VAMS role names are compared exactly, as VAMS does.
  if (!policy.roles.includes(role)) {
    return refuse({ code: 'role-not-offered', role, roles: policy.roles });
  }
  if (identity.roles.includes(role)) return refuse({ code: 'already-held', role });
  return { allowed: true, requester: identity };
}

/** The durations the dialog offers: the grant durations within the limit, and the limit. */
export function breakglassDurations(
  grantDurations: readonly number[],
  maxMinutes: number,
): number[] {
  return [...new Set([...grantDurations.filter((minutes) => minutes < maxMinutes), maxMinutes])];
}

/** At least this much reason: the review reads it to judge an emergency. */
export const BREAKGLASS_REASON_MIN = 20;
