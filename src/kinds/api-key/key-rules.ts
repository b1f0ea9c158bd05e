import { REASON_REQUIRED } from '../../domain/request';
import {
  API_KEY_DESCRIPTION_MAX,
  API_KEY_NAME,
  API_KEY_NAME_MAX,
  apiKeyExpiry,
  disallowedNameCharacters,
  endOfDayUtc,
  nameCharactersOnly,
  RESERVED_KEY_OWNER,
} from '../../vams/api-key-format';
import { VAMS_USER_ID } from '../../vams/vams-format';

export interface KeyOwnerPorts {
  /**
   * Whether the owner's Cognito user is enabled; undefined when there is none (a CI identity
   * with roles only, or users in an external identity provider).
   */
  cognitoUserEnabled(userId: string): Promise<boolean | undefined>;
  rolesOf(userId: string): Promise<string[]>;
  /** The names among these roles that exist and have `mfaRequired` false or no such attribute. */
  usableWithApiKeys(roleNames: readonly string[]): Promise<string[]>;
}

/**
 * Why `ownerUserId` may not have a key, or undefined. A disabled Cognito user gets none. VAMS's
 * authorizer lets a key in when its owner has any role row, but key sessions only get roles that
 * still exist and do not require MFA (`mfaRequired` false or absent): without one, every call
 * would be refused (403).
 */
export async function keyOwnerProblem(
  ports: KeyOwnerPorts,
  ownerUserId: string,
  heldRoles?: readonly string[],
): Promise<string | undefined> {
  if (!VAMS_USER_ID.test(ownerUserId) || ownerUserId === RESERVED_KEY_OWNER)
    return `VAMS does not allow API keys for the user ID "${ownerUserId}".`;
  const [enabled, held] = await Promise.all([
    ports.cognitoUserEnabled(ownerUserId),
    heldRoles ?? ports.rolesOf(ownerUserId),
  ]);
  // VAMS's authorizer never looks at the Cognito user: a disabled user's key would still work.
  if (enabled === false)
    return `Cognito user ${ownerUserId} is disabled. VAMS does not check that when it accepts an API key, so no key is issued or rotated for a disabled user. An admin has to enable the user first (\`/vams user enable ${ownerUserId}\`).`;
  if (held.length === 0)
    return `${ownerUserId} holds no VAMS role, and VAMS refuses API keys of users without one.`;
  const usable = await ports.usableWithApiKeys(held);
  if (usable.length === 0) {
    return `${ownerUserId}'s VAMS roles (${held.join(', ')}) all require MFA or no longer exist, and VAMS grants neither to calls made with an API key: the key would be refused everywhere (403). An admin has to assign a role that does not require MFA first.`;
  }
  return undefined;
}

export interface KeyLimits {
  defaultDays: number;
  maxDays: number;
}

export interface KeyFormInput {
  name: string;
  description: string;
  /** `YYYY-MM-DD` from the date picker, '' when cleared. */
  expires: string;
  reason: string;
}

export type KeyFormField = keyof KeyFormInput;

export type KeyFormCheck =
  | { ok: true; name: string; description: string; expiresAt: string; reason: string }
  | { ok: false; errors: Partial<Record<KeyFormField, string>> };

function isoDate(at: Date): string {
  return at.toISOString().slice(0, 10);
}

export function daysAhead(now: Date, days: number): string {
  return isoDate(new Date(now.getTime() + days * 86_400_000));
}

/** VAMS's rules for a new key, and ours for its expiry; the name's uniqueness is checked apart. */
export function checkKeyForm(input: KeyFormInput, now: Date, limits: KeyLimits): KeyFormCheck {
  const errors: Partial<Record<KeyFormField, string>> = {};
  const name = input.name.trim();
  const description = input.description.trim();
  const reason = input.reason.trim();
  if (!name) errors.name = 'Give the key a name.';
  else if (name.length > API_KEY_NAME_MAX)
    errors.name = `At most ${API_KEY_NAME_MAX} characters (this is ${name.length}).`;
  else if (!API_KEY_NAME.test(name)) errors.name = keyNameProblem(name);
  if (!description) errors.description = 'Say what the key is for; VAMS requires a description.';
  else if (description.length > API_KEY_DESCRIPTION_MAX)
    errors.description = `At most ${API_KEY_DESCRIPTION_MAX} characters (this is ${description.length}).`;
  const latest = daysAhead(now, limits.maxDays);
  if (
    !/^\d{4}-\d{2}-\d{2}$/.test(input.expires) ||
    Number.isNaN(endOfDayUtc(input.expires).getTime())
  )
    errors.expires = 'Pick the day the key stops working.';
  else if (input.expires < isoDate(now))
    errors.expires = 'Pick a day from today on; the key expires at the end of that day (UTC).';
  else if (input.expires > latest)
    errors.expires = `At most ${limits.maxDays} days ahead: ${latest} or earlier.`;
  if (!reason) errors.reason = REASON_REQUIRED;
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    name,
    description,
    expiresAt: apiKeyExpiry(endOfDayUtc(input.expires)),
    reason,
  };
}

const SHOWN_CHARACTERS = 10;

/** What is wrong with a name VAMS's rule refuses, naming the characters it does not allow. */
export function keyNameProblem(name: string): string {
  const shown = disallowedNameCharacters(name)
    .slice(0, SHOWN_CHARACTERS)
    .map((character) =>
      // Invisible and control characters are named by code point: quoted, they would look empty.
      /[\p{L}\p{N}\p{P}\p{S}]/u.test(character)
        ? `"${character}"`
        : `U+${(character.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`,
    )
    .join(' ');
  return `VAMS allows only letters (a–z, A–Z), digits, spaces, hyphens (-), dots (.) and underscores (_) in a key's name; not allowed here: ${shown}.`;
}

// An earlier rotation's date, in this format or the one used before (`… (rotated …)`): dropped,
// so that a key rotated again and again keeps a short name.
const EARLIER_ROTATION =
  /(?: rotated \d{4}-\d{2}-\d{2}(?: [0-9a-f]+)?| \(rotated \d{4}-\d{2}-\d{2}(?: #\w+)?\))+$/;

/**
 * A rotated key's name: `<old name> rotated YYYY-MM-DD`, then ` 2`, ` 3`… for further attempts
 * the same day. Names are unique and immutable, so the new key says what it replaced; the result
 * passes VAMS's name rule and its 256 characters, whatever the old name was.
 */
export function rotatedName(oldName: string, now: Date, attempt: string): string {
  const suffix = ` rotated ${isoDate(now)}${attempt === '1' ? '' : ` ${attempt}`}`;
  const base =
    nameCharactersOnly(oldName.replace(EARLIER_ROTATION, '')).replace(/\s+/g, ' ').trim() || 'key';
  return `${base.slice(0, API_KEY_NAME_MAX - suffix.length).trimEnd()}${suffix}`;
}
