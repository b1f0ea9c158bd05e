import { type PasswordPolicy, temporaryPassword } from '../vams/temporary-password';
import { type AccessRequest, stepStarted } from './request';
import type { StepContext, StepDetail } from './workflow';

export interface TemporaryPasswordDelivery {
  slackUserId: string;
  userId: string;
  password: string;
  validDays: number;
  occasion: 'welcome' | 'reset';
}

/** Finds people in Slack and hands them their temporary password, by DM only. */
export interface PasswordCourier {
  slackUserForEmail(email: string): Promise<string | undefined>;
  sendTemporaryPassword(delivery: TemporaryPasswordDelivery): Promise<void>;
}

/** The Cognito calls a temporary password by DM needs. */
export interface TemporaryPasswords {
  setTemporaryPassword(userId: string, password: string): Promise<void>;
  passwordPolicy(): Promise<PasswordPolicy>;
}

// The `choose-delivery` step records its choice; later steps read it back from the record.
const CHOOSE_DELIVERY = 'choose-delivery';
const SLACK_DELIVERY = /^by Slack DM to (\w+)$/;

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
      const slackUserId = email ? await courier.slackUserForEmail(email) : undefined;
      return slackUserId
        ? [{ text: 'by Slack DM to ' }, { slackUserId }]
        : 'by Cognito email (not found in Slack)';
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
 * copy. Returns the step's detail, which names the recipient but never the password.
 */
export async function dmNewTemporaryPassword(
  cognito: TemporaryPasswords,
  courier: PasswordCourier,
  delivery: Pick<TemporaryPasswordDelivery, 'slackUserId' | 'userId' | 'occasion'>,
): Promise<StepDetail> {
  const policy = await cognito.passwordPolicy();
  const password = temporaryPassword(policy);
  await cognito.setTemporaryPassword(delivery.userId, password);
  await courier.sendTemporaryPassword({
    ...delivery,
    password,
    validDays: policy.temporaryPasswordValidityDays,
  });
  return [{ text: 'sent by DM to ' }, { slackUserId: delivery.slackUserId }];
}
