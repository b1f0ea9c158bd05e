import { createHash, randomBytes } from 'node:crypto';

/** VAMS's key values: `vams_` + 48 random bytes as unpadded base64url, 69 characters in all. */
const API_KEY_PREFIX = 'vams_';
const VALUE_BYTES = 48;

export const API_KEY_NAME_MAX = 256;
/**
 * VAMS's rule for a key's name, `^[a-zA-Z0-9\-._\s]{1,256}$` in Python. Its `\s` is spelled out:
 * JavaScript's also matches U+FEFF, which VAMS refuses (the few control characters only Python
 * counts as spaces are refused here too).
 */
const NAME_CHARACTER =
  /[a-zA-Z0-9\-._\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;
export const API_KEY_NAME = new RegExp(`^${NAME_CHARACTER.source}{1,${API_KEY_NAME_MAX}}$`);
const NAME_CHARACTER_ONLY = new RegExp(`^${NAME_CHARACTER.source}$`);

/** The distinct characters of `name` that VAMS does not allow in a key's name, in order. */
export function disallowedNameCharacters(name: string): string[] {
  return [...new Set([...name].filter((character) => !NAME_CHARACTER_ONLY.test(character)))];
}

/** `text` with every character VAMS does not allow in a key's name replaced by a space. */
export function nameCharactersOnly(text: string): string {
  return [...text]
    .map((character) => (NAME_CHARACTER_ONLY.test(character) ? character : ' '))
    .join('');
}

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
