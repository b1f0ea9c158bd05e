/**
 * VAMS writes naive UTC timestamps from Python, and each table has its own format: a row the
 * bot writes must read back in VAMS like one VAMS wrote.
 */

/** User-role rows: `2026-04-23T16:35:24.123456` (microseconds, no zone). */
export function userRoleTimestamp(at: Date): string {
  return `${at.toISOString().slice(0, 23)}000`;
}

/** Roles table: `%Y-%m-%dT%H:%M:%S` (no fraction, no zone). */
export function roleTimestamp(at: Date): string {
  return at.toISOString().slice(0, 19);
}

/** API keys table: Python's `datetime.now(timezone.utc).isoformat()`, zone always present. */
export function apiKeyTimestamp(at: Date): string {
  return `${at.toISOString().slice(0, 23)}000+00:00`;
}

/** VAMS user ids (Cognito usernames) and API key owners share this rule. */
export const VAMS_USER_ID = /^[\w\-.+@]{3,256}$/;

/** VAMS role names. */
export const ROLE_NAME = /^[\w\-.+@]{1,256}$/;
