import { createHash, randomBytes } from 'node:crypto';

/** VAMS's key values: `vams_` + 48 random bytes as unpadded base64url, 69 characters in all. */
const API_KEY_PREFIX = 'vams_';
const VALUE_BYTES = 48;

export const API_KEY_NAME_MAX = 256;
export const API_KEY_DESCRIPTION_MAX = 256;
/** VAMS refuses keys for this owner. */
export const RESERVED_KEY_OWNER = 'global';

export function newApiKeyValue(): string {
  return `${API_KEY_PREFIX}${randomBytes(VALUE_BYTES).toString('base64url')}`;
}

/** What VAMS stores and looks keys up by: sha256 of the whole value, lowercase hex. */
export function apiKeyHash(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/**
 * `expiresAt` as `YYYY-MM-DDTHH:MM:SSZ`. VAMS reads a value without a zone (or a bare date) as
 * "never expires", so the zone is always written.
 */
export function apiKeyExpiry(at: Date): string {
  return `${at.toISOString().slice(0, 19)}Z`;
}

/** A key chosen to expire on a calendar day expires at that day's last second, UTC. */
export function endOfDayUtc(isoDate: string): Date {
  return new Date(`${isoDate}T23:59:59Z`);
}

const WITH_ZONE = /T\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)$/;

/**
 * A timestamp as an instant, only when it carries a zone. That is how VAMS reads `expiresAt`:
 * `''`, a bare date or a time without a zone (undefined here) mean the key never expires.
 */
export function zonedInstant(expiresAt: string | undefined): Date | undefined {
  if (!expiresAt || !WITH_ZONE.test(expiresAt)) return undefined;
  const at = new Date(expiresAt);
  return Number.isNaN(at.getTime()) ? undefined : at;
}
