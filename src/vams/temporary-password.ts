import { randomInt } from 'node:crypto';

export interface PasswordPolicy {
  minimumLength: number;
  requireLowercase: boolean;
  requireUppercase: boolean;
  requireNumbers: boolean;
  requireSymbols: boolean;
  temporaryPasswordValidityDays: number;
}

const LOWER = 'abcdefghijkmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
const DIGITS = '23456789';
// Cognito's accepted special characters, minus quotes and backticks that break copy-paste
// out of Slack's code formatting.
const SYMBOLS = '^$*.[]{}()?!@#%&/,><:;|_~+=-';

const pick = (alphabet: string) => alphabet.charAt(randomInt(alphabet.length));

/** A temporary password that meets the pool's policy, from a CSPRNG; at least 16 characters. */
export function temporaryPassword(policy: PasswordPolicy): string {
  const length = Math.max(policy.minimumLength, 16);
  const required = [
    policy.requireLowercase ? LOWER : '',
    policy.requireUppercase ? UPPER : '',
    policy.requireNumbers ? DIGITS : '',
    policy.requireSymbols ? SYMBOLS : '',
  ].filter((alphabet) => alphabet.length > 0);
  const everything = LOWER + UPPER + DIGITS + (policy.requireSymbols ? SYMBOLS : '');
  const characters = required.map(pick);
  while (characters.length < length) characters.push(pick(everything));
  // Fisher–Yates, so the required classes are not always at the front.
  for (let index = characters.length - 1; index > 0; index -= 1) {
    const other = randomInt(index + 1);
    [characters[index], characters[other]] = [characters[other] ?? '', characters[index] ?? ''];
  }
  return characters.join('');
}
