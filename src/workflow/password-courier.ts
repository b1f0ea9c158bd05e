import { z } from 'zod';
import type { RefusalReason } from '../auth/identity';
import { type AccessRequest, outputOf, stepStarted } from '../domain/request';
import { type PasswordPolicy, temporaryPassword } from '../vams/temporary-password';
import { recipientRefusalText } from './secret-recipients';
import type { StepContext, StepResult } from './steps';

export interface TemporaryPasswordDelivery {
  /** The request it is delivered for: its DM is tagged with it, to be found after a crash. */
  requestId: string;
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
  /**
   * Marks the secrets DM'd to these people for this request as replaced; returns how many. Run
   * before a resumed request sends a new secret, since the earlier one never became usable.
   */
  retireSecretDms(
    secret: 'api-key' | 'password',
    requestId: string,
    slackUserIds: readonly string[],
  ): Promise<number>;
}

/** The Cognito calls a temporary password by DM needs. */
export interface TemporaryPasswords {
  setTemporaryPassword(userId: string, password: string): Promise<void>;
  passwordPolicy(): Promise<PasswordPolicy>;
}

// The `choose-delivery` step records its choice; later steps and the summary read its output.
const CHOOSE_DELIVERY = 'choose-delivery';
export const DELIVER_PASSWORD = 'deliver-password';

/**
 * What both steps hand on: who gets the password by DM, or why the Slack account with the email
 * may not have it (then Cognito emails it). Neither: nobody in Slack has the email.
 */
const passwordRoute = z.object({
  slackUserId: z.string().optional(),
  refused: z.string().optional(),
});
type PasswordRoute = z.infer<typeof passwordRoute>;

function byEmail(reason: RefusalReason, now = ''): StepResult {
  const refused = `the Slack account with that email ${recipientRefusalText(reason)}${now}`;
  return { detail: `by Cognito email: ${refused}`, output: { refused } satisfies PasswordRoute };
}

/**
 * How a request's temporary password went, for its summary: by Slack DM, or by Cognito's email,
 * with why when Slack delivery was chosen (e.g. "the Slack account with that email is a guest").
 */
export function passwordDeliveryOf(request: AccessRequest): {
  byDm: boolean;
  fallback: string | undefined;
} {
  const delivered = outputOf(request, DELIVER_PASSWORD, passwordRoute);
  const chosen = outputOf(request, CHOOSE_DELIVERY, passwordRoute);
  return {
    byDm: delivered?.slackUserId !== undefined,
    fallback: delivered?.refused ?? chosen?.refused,
  };
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
      if (!found) return { detail: 'by Cognito email (not found in Slack)', output: {} };
      // Whoever holds the email in Slack is not necessarily someone the bot would serve: a
      // guest, a deactivated account or another workspace's member gets no password.
      if (found.refusal) return byEmail(found.refusal);
      return {
        detail: [{ text: 'by Slack DM to ' }, { slackUserId: found.slackUserId }],
        output: { slackUserId: found.slackUserId } satisfies PasswordRoute,
      };
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
  return outputOf(context.request, CHOOSE_DELIVERY, passwordRoute)?.slackUserId;
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
  context: StepContext,
): Promise<StepResult> {
  const refusal = delivery.email
    ? await courier.recipientRefusal(delivery.slackUserId, delivery.email)
    : 'no-confirmed-email';
  if (refusal) {
    await cognito.resendInvitation(delivery.userId);
    return byEmail(refusal, ' now');
  }
  // An earlier run may have DM'd a password before it died: the one set below replaces it.
  if (context.resumed) {
    await courier.retireSecretDms('password', context.request.id, [delivery.slackUserId]);
  }
  const policy = await cognito.passwordPolicy();
  const password = temporaryPassword(policy);
  // Only the runner holding the request sets a password: another one's DM would be dead.
  await context.fence();
  await cognito.setTemporaryPassword(delivery.userId, password);
  await courier.sendTemporaryPassword({
    requestId: context.request.id,
    slackUserId: delivery.slackUserId,
    userId: delivery.userId,
    occasion: delivery.occasion,
    password,
    validDays: policy.temporaryPasswordValidityDays,
  });
  return {
    detail: [{ text: 'sent by DM to ' }, { slackUserId: delivery.slackUserId }],
    output: { slackUserId: delivery.slackUserId } satisfies PasswordRoute,
  };
}
