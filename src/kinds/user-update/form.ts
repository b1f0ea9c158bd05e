import { REASON_REQUIRED, type UserUpdateParams } from '../../domain/request';
import {
  compactPhone,
  EMAIL_PROBLEM,
  isE164,
  isEmailAddress,
  PHONE_PROBLEM,
} from '../onboarding/form';

export interface UserUpdateInput {
  email: string;
  phone: string;
  removePhone: boolean;
  reason: string;
}

/** A user's email and phone, as Cognito has them or as the form showed them. */
export interface ContactValues {
  email: string | undefined;
  phone: string | undefined;
}

export type UserUpdateField = keyof UserUpdateInput;

export type UserUpdateValidation =
  | { ok: true; params: UserUpdateParams; reason: string }
  | { ok: false; errors: Partial<Record<UserUpdateField, string>> };

/**
 * The update modal's rules. A field is changed when its value differs from what Cognito holds
 * now and from what the form was filled with: a value left as it was shown is not a change,
 * even if someone changed the user in between. An empty field leaves the attribute as it is;
 * only the removal box removes the phone.
 */
export function validateUserUpdate(
  userId: string,
  input: UserUpdateInput,
  current: ContactValues,
  shown: ContactValues,
): UserUpdateValidation {
  const email = input.email.trim();
  const phone = compactPhone(input.phone);
  const reason = input.reason.trim();
  const errors: Partial<Record<UserUpdateField, string>> = {};
  if (email && !isEmailAddress(email)) errors.email = EMAIL_PROBLEM;
  if (phone && !isE164(phone)) errors.phone = PHONE_PROBLEM;
  if (!reason) errors.reason = REASON_REQUIRED;
  const newEmail = email && email !== shown.email && email !== current.email ? email : undefined;
  const shownPhone = shown.phone === undefined ? undefined : compactPhone(shown.phone);
  const newPhone = phone && phone !== shownPhone && phone !== current.phone ? phone : undefined;
  const removePhone = input.removePhone && current.phone !== undefined;
  if (input.removePhone && newPhone !== undefined && !errors.phone) {
    errors.phone =
      'To remove the phone number, leave this as it is or empty; to change it, untick “Remove the phone number”.';
  }
  if (
    !errors.email &&
    !errors.phone &&
    newEmail === undefined &&
    newPhone === undefined &&
    !removePhone
  ) {
    errors.email = 'Nothing would change: edit the email or the phone number, or remove the phone.';
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    params: {
      userId,
      ...(newEmail !== undefined ? { email: newEmail } : {}),
      ...(newPhone !== undefined ? { phone: newPhone } : {}),
      ...(removePhone ? { removePhone: true as const } : {}),
    },
    reason,
  };
}
