import type { RefusalReason } from '../auth/identity';
import { type AccessRequest, stepStarted } from '../domain/request';
import { type PasswordPolicy, temporaryPassword } from '../vams/temporary-password';
import { recipientRefusalText } from './secret-recipients';
import type { StepContext, StepDetail } from './workflow';

export interface TemporaryPasswordDelivery {
  slackUserId: string;
  userId: string;
  password: string;
  validDays: number;
  occasion: 'welcome' | 'reset';
}

/** The Slack person with an email, and why they may not receive a secret, if so. */
export interface SlackRecipient {
  slackUserId: string;
  refusal: RefusalReason | undefined;
}

/** Finds people in Slack and hands them their temporary password, by DM only. */
export interface PasswordCourier {
  /** Undefined when nobody in the workspace has this email. */
  recipientForEmail(email: string): Promise<SlackRecipient | undefined>;
  /** Why this person may not receive the password meant for `email` now; undefined if they may. */
  recipientRefusal(slackUserId: string, email: string): Promise<RefusalReason | undefined>;
  sendTemporaryPassword(delivery: TemporaryPasswordDelivery): Promise<void>;
}

/** The Cognito calls a temporary password by DM needs. */
export interface TemporaryPasswords {
  setTemporaryPassword(userId: string, password: string): Promise<void>;
  passwordPolicy(): Promise<PasswordPolicy>;
}

// The `choose-delivery` step records its choice; later steps read it back from the record.
const CHOOSE_DELIVERY = 'choose-delivery';
export const DELIVER_PASSWORD = 'deliver-password';
const SLACK_DELIVERY = /^by Slack DM to (\w+)$/;
// Written by the steps below when the Slack account with the email may not have the password.
const REFUSED_PREFIX = 'by Cognito email: the Slack account with that email ';
// How `dmNewTemporaryPassword` records a password it DM'd.
const SENT_PREFIX = 'sent by DM to ';

function emailFallback(reason: RefusalReason, now = ''): string {
  return `${REFUSED_PREFIX}${recipientRefusalText(reason)}${now}`;
}

/**
 * How a request's temporary password went, for its summary: by Slack DM, or by Cognito's email,
 * with why when Slack delivery was chosen (e.g. "the Slack account with that email is a guest").
 */
export function passwordDeliveryOf(request: AccessRequest): {
  byDm: boolean;
  fallback: string | undefined;
} {
  const detailOf = (name: string) => request.steps.find((step) => step.name === name)?.detail;
  const byDm = detailOf(DELIVER_PASSWORD)?.startsWith(SENT_PREFIX) ?? false;
  const refused = [DELIVER_PASSWORD, CHOOSE_DELIVERY]
    .map(detailOf)
    .find((detail) => detail?.startsWith(REFUSED_PREFIX));
  return { byDm, fallback: refused?.slice('by Cognito email: '.length) };
}

/** The step that decides, once per request, whether the password goes by Slack DM or by email. */
export function chooseDeliveryStep(
  label: string,
  emailOf: (context: StepContext) => Promise<string | undefined>,
  courier: PasswordCourier,
) {
  return {
    name: CHOOSE_DELIVERY,
    label,
    run: async (context: StepContext) => {
      const email = await emailOf(context);
      const found = email ? await courier.recipientForEmail(email) : undefined;
      if (!found) return 'by Cognito email (not found in Slack)';
      // Whoever holds the email in Slack is not necessarily someone the bot would serve: a
      // guest, a deactivated account or another workspace's member gets no password.
      if (found.refusal) return emailFallback(found.refusal);
      return [{ text: 'by Slack DM to ' }, { slackUserId: found.slackUserId }];
    },
  };
}

/**
 * Whether this request delivers by Slack DM: as configured when it first runs, and as it was
 * decided ever after, so a Retry after `TEMP_PASSWORD_DELIVERY` changed still finishes the way
 * it started (a user created with the invitation suppressed still gets their password).
 */
export function deliversBySlack(request: AccessRequest, configured: 'email' | 'slack-dm'): boolean {
  return configured === 'slack-dm' || stepStarted(request, CHOOSE_DELIVERY);
}

/** Who gets the password by DM, as `choose-delivery` decided; undefined: Cognito emails it. */
export function slackRecipient(context: StepContext): string | undefined {
  return SLACK_DELIVERY.exec(context.detailOf(CHOOSE_DELIVERY) ?? '')?.[1];
}

/**
 * Sets a fresh temporary password that meets the pool's policy and DMs it: the DM is its only
 * copy. The recipient is vetted again first (a Retry may come much later, and accounts change):
 * if they may no longer have it, Cognito emails one instead. Returns the step's detail, which
 * names the recipient but never the password.
 */
export async function dmNewTemporaryPassword(
  cognito: TemporaryPasswords & { resendInvitation(userId: string): Promise<void> },
  courier: PasswordCourier,
  delivery: Pick<TemporaryPasswordDelivery, 'slackUserId' | 'userId' | 'occasion'> & {
    email: string | undefined;
  },
): Promise<StepDetail> {
  const refusal = delivery.email
    ? await courier.recipientRefusal(delivery.slackUserId, delivery.email)
    : 'no-confirmed-email';
  if (refusal) {
    await cognito.resendInvitation(delivery.userId);
    return emailFallback(refusal, ' now');
  }
  const policy = await cognito.passwordPolicy();
  const password = temporaryPassword(policy);
  await cognito.setTemporaryPassword(delivery.userId, password);
  await courier.sendTemporaryPassword({
    slackUserId: delivery.slackUserId,
    userId: delivery.userId,
    occasion: delivery.occasion,
    password,
    validDays: policy.temporaryPasswordValidityDays,
  });
  return [{ text: SENT_PREFIX }, { slackUserId: delivery.slackUserId }];
}
