import { expectKind } from '../../domain/request';
import { temporaryPassword } from '../../vams/temporary-password';
import { logAuthChange } from '../../workflow/auth-changes';
import {
  chooseDeliveryStep,
  DELIVER_PASSWORD,
  deliversBySlack,
  dmNewTemporaryPassword,
  type PasswordCourier,
  passwordDeliveryOf,
  slackRecipient,
  type TemporaryPasswords,
} from '../../workflow/password-courier';
import type { KindExecutor, Step, StepContext } from '../../workflow/steps';

export interface PasswordResetPorts {
  cognito: {
    findUser(userId: string): Promise<{ email: string | undefined } | undefined>;
    signOutEverywhere(userId: string): Promise<void>;
    resendInvitation(userId: string): Promise<void>;
  } & TemporaryPasswords;
  courier: PasswordCourier;
  delivery: 'email' | 'slack-dm';
}

function userIdOf(context: StepContext): string {
  return expectKind(context.request, 'user.reset-password').params.userId;
}

/**
 * VAMS resets a password by deleting the user and creating it again: a new `sub`, MFA gone, a
 * disabled user re-enabled, and a lost user if the re-create fails. Here the user stays: the
 * current password is replaced, sessions are revoked, then a fresh temporary password goes out.
 */
export function passwordResetExecutor(ports: PasswordResetPorts): KindExecutor {
  const chooseDelivery: Step = chooseDeliveryStep(
    'Find the user in Slack for the temporary password',
    async (context) => (await ports.cognito.findUser(userIdOf(context)))?.email,
    ports.courier,
  );

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
    name: DELIVER_PASSWORD,
    label: 'Deliver a new temporary password',
    run: async (context) => {
      const userId = userIdOf(context);
      const slackUserId = slackRecipient(context);
      if (!slackUserId) {
        await ports.cognito.resendInvitation(userId);
        return 'Cognito emailed it';
      }
      return dmNewTemporaryPassword(
        ports.cognito,
        ports.courier,
        {
          slackUserId,
          userId,
          email: (await ports.cognito.findUser(userId))?.email,
          occasion: 'reset',
        },
        context,
      );
    },
  };

  return {
    steps: (request) => [
      ...(deliversBySlack(request, ports.delivery) ? [chooseDelivery] : []),
      invalidate,
      signOut,
      deliver,
    ],
    summary: (candidate) => {
      const request = expectKind(candidate, 'user.reset-password');
      const { byDm, fallback } = passwordDeliveryOf(request);
      const delivered = byDm
        ? 'a temporary password went to them by Slack DM'
        : fallback
          ? `a temporary password went by Cognito's email (${fallback})`
          : 'Cognito emailed them a temporary password';
      return `The password of ${request.params.userId} was reset: the old one no longer works, every session was signed out (access tokens already issued stay valid until they expire), and ${delivered}. Their roles, MFA settings and enabled state are unchanged.`;
    },
  };
}
