import { type PasswordPolicy, temporaryPassword } from '../vams/temporary-password';
import { logAuthChange } from './onboarding';
import type { PasswordCourier } from './password-courier';
import { expectKind } from './request';
import type { KindExecutor, Step, StepContext } from './workflow';

export interface PasswordResetPorts {
  cognito: {
    findUser(userId: string): Promise<{ email: string | undefined } | undefined>;
    setTemporaryPassword(userId: string, password: string): Promise<void>;
    signOutEverywhere(userId: string): Promise<void>;
    resendInvitation(userId: string): Promise<void>;
    passwordPolicy(): Promise<PasswordPolicy>;
  };
  courier: PasswordCourier;
  delivery: 'email' | 'slack-dm';
}

const SLACK_DELIVERY = /^by Slack DM to (\w+)$/;

function userIdOf(context: StepContext): string {
  return expectKind(context.request, 'user.reset-password').params.userId;
}

/**
 * VAMS resets a password by deleting the user and creating it again: a new `sub`, MFA gone, a
 * disabled user re-enabled, and a lost user if the re-create fails. Here the user stays: the
 * current password is replaced, sessions are revoked, then a fresh temporary password goes out.
 */
export function passwordResetExecutor(ports: PasswordResetPorts): KindExecutor {
  const chooseDelivery: Step = {
    name: 'choose-delivery',
    label: 'Find the user in Slack for the temporary password',
    run: async (context) => {
      const user = await ports.cognito.findUser(userIdOf(context));
      const slackUserId = user?.email
        ? await ports.courier.slackUserForEmail(user.email)
        : undefined;
      return slackUserId
        ? `by Slack DM to ${slackUserId}`
        : 'by Cognito email (not found in Slack)';
    },
  };

  const invalidate: Step = {
    name: 'invalidate-password',
    label: 'Replace the current password',
    run: async (context) => {
      const userId = userIdOf(context);
      // A random password nobody receives: the old one stops working now, and the user is put in
      // FORCE_CHANGE_PASSWORD, which Cognito's resend requires.
      await ports.cognito.setTemporaryPassword(
        userId,
        temporaryPassword(await ports.cognito.passwordPolicy()),
      );
      logAuthChange(context.log, 'cognitoUserPasswordReset', context.request, { userId });
      return 'the current password no longer works';
    },
  };

  const signOut: Step = {
    name: 'global-signout',
    label: 'Sign out everywhere',
    run: async (context) => {
      await ports.cognito.signOutEverywhere(userIdOf(context));
      return 'refresh tokens revoked';
    },
  };

  const deliver: Step = {
    name: 'deliver-password',
    label: 'Deliver a new temporary password',
    run: async (context) => {
      const userId = userIdOf(context);
      const slackUserId = SLACK_DELIVERY.exec(context.detailOf('choose-delivery') ?? '')?.[1];
      if (!slackUserId) {
        await ports.cognito.resendInvitation(userId);
        return 'Cognito emailed it';
      }
      const policy = await ports.cognito.passwordPolicy();
      const password = temporaryPassword(policy);
      await ports.cognito.setTemporaryPassword(userId, password);
      await ports.courier.sendTemporaryPassword({
        slackUserId,
        userId,
        password,
        validDays: policy.temporaryPasswordValidityDays,
        occasion: 'reset',
      });
      return `sent by DM to ${slackUserId}`;
    },
  };

  return {
    steps: () => [
      ...(ports.delivery === 'slack-dm' ? [chooseDelivery] : []),
      invalidate,
      signOut,
      deliver,
    ],
    summary: (candidate) => {
      const request = expectKind(candidate, 'user.reset-password');
      const byDm = request.steps
        .find((step) => step.name === 'deliver-password')
        ?.detail?.startsWith('sent');
      return `The password of ${request.params.userId} was reset: the old one no longer works, every session was signed out (access tokens already issued stay valid until they expire), and ${byDm ? 'a temporary password went to them by Slack DM' : 'Cognito emailed them a temporary password'}. Their roles, MFA settings and enabled state are unchanged.`;
    },
  };
}
