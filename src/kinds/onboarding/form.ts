import { z } from 'zod';
import type { OnboardingParams } from '../../domain/request';
import { VAMS_USER_ID } from '../../vams/vams-format';

export interface OnboardingInput {
  userId: string;
  email: string;
  phone: string;
  roles: string[];
  reason: string;
}

export type OnboardingField = keyof OnboardingInput;

export type OnboardingValidation =
  | { ok: true; params: OnboardingParams; reason: string }
  | { ok: false; errors: Partial<Record<OnboardingField, string>> };

// E.164: a plus, a non-zero country digit, at most 15 digits in all.
const E164 = /^\+[1-9]\d{1,14}$/;
const email = z.email();

export const EMAIL_PROBLEM = 'Enter a valid email address, e.g. name@example.com.';
export const PHONE_PROBLEM =
  'Use international format: + then country code and number, up to 15 digits (e.g. +14155550123).';

/** A phone number as typed, without the spaces, brackets and dashes people add. */
export function compactPhone(typed: string): string {
  return typed.replace(/[\s()-]/g, '');
}

export function isEmailAddress(value: string): boolean {
  return email.safeParse(value).success;
}

export function isE164(phone: string): boolean {
  return E164.test(phone);
}

/**
 * The onboarding modal's rules, field by field, as VAMS holds them, except that an email's
 * top-level domain is not restricted the way VAMS's own form restricts it.
 */
export function validateOnboarding(input: OnboardingInput): OnboardingValidation {
  const userId = input.userId.trim();
  const address = input.email.trim();
  const phone = compactPhone(input.phone);
  const reason = input.reason.trim();
  const errors: Partial<Record<OnboardingField, string>> = {};
  if (!VAMS_USER_ID.test(userId)) {
    errors.userId = 'Use 3–256 characters: letters, digits and _ - . + @ (no spaces).';
  } else if (userId.toLowerCase() === 'global') {
    errors.userId = '“global” is reserved by VAMS.';
  }
  if (!isEmailAddress(address)) errors.email = EMAIL_PROBLEM;
  if (phone && !isE164(phone)) errors.phone = PHONE_PROBLEM;
  if (input.roles.length === 0) errors.roles = 'Choose at least one VAMS role.';
  if (!reason) errors.reason = 'Say why this person needs access; approvers read it.';
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    params: {
      userId,
      email: address,
      ...(phone ? { phone } : {}),
      roles: [...new Set(input.roles)],
    },
    reason,
  };
}
