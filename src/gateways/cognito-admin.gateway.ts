import {
  AdminCreateUserCommand,
  AdminDeleteUserAttributesCommand,
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminGetUserCommand,
  AdminSetUserPasswordCommand,
  AdminUpdateUserAttributesCommand,
  AdminUserGlobalSignOutCommand,
  type CognitoIdentityProviderClient,
  DescribeUserPoolCommand,
  UserNotFoundException,
  UsernameExistsException,
} from '@aws-sdk/client-cognito-identity-provider';
import { z } from 'zod';
import { type CallPace, retryThrottled } from '../aws/throttle';
import type { CognitoUserSummary, ContactChanges, NewCognitoUser } from '../domain/cognito-user';
import { DomainError, isUserGone } from '../domain/errors';
import type { PasswordPolicy } from '../vams/temporary-password';

/** Cognito admin calls made the way VAMS makes them, so VAMS sees the bot's users as its own. */
export class CognitoAdmin {
  private policy: PasswordPolicy | undefined;

  /**
   * `pace`: shared by every request this process runs, so that together they stay under the
   * pool's quota for changing users instead of each finding it by being throttled.
   */
  constructor(
    private readonly cognito: CognitoIdentityProviderClient,
    private readonly userPoolId: string,
    private readonly pace?: CallPace,
  ) {}

  // A call that changes a user waits for its turn, each attempt again (the SDK's own retries
  // included). Reads have a quota of their own in Cognito and never queue behind bulk work: a
  // dialog's checks must answer Slack within 3 s. Every call backs off when Cognito throttles
  // all the same: bulk work slows down, it does not fail. A user who is not there any more is
  // a reason people can act on, not a fault.
  private send = this.caller(true);
  private read = this.caller(false);

  private caller(paced: boolean): CognitoIdentityProviderClient['send'] {
    return ((command: Parameters<CognitoIdentityProviderClient['send']>[0]) => {
      const pace = paced ? this.pace : undefined;
      if (pace) {
        command.middlewareStack.add(
          (next) => async (args) => {
            await pace.turn();
            return next(args);
          },
          { step: 'finalizeRequest', name: 'cognitoCallPace' },
        );
      }
      return retryThrottled(() => this.cognito.send(command)).catch((error: unknown) => {
        if (!(error instanceof UserNotFoundException)) throw error;
        const username = z.object({ Username: z.string() }).safeParse(command.input);
        throw new DomainError(
          'user-gone',
          `there is no Cognito user ${username.success ? username.data.Username : ''} any more`,
        );
      });
    }) as CognitoIdentityProviderClient['send'];
  }

  async findUser(userId: string): Promise<CognitoUserSummary | undefined> {
    try {
      const user = await this.read(
        new AdminGetUserCommand({ UserPoolId: this.userPoolId, Username: userId }),
      );
      const attribute = (name: string) =>
        user.UserAttributes?.find((entry) => entry.Name === name)?.Value;
      return {
        username: user.Username ?? userId,
        status: user.UserStatus,
        email: attribute('email'),
        phone: attribute('phone_number'),
        enabled: user.Enabled !== false,
      };
    } catch (error) {
      if (isUserGone(error)) return undefined;
      throw error;
    }
  }

  /** VAMS: username = User ID, email and phone marked verified, invitation by email. */
  /**
   * `exists`: a user with this User ID is in the pool. That is also what a create whose answer
   * was lost meets when the SDK retries it: the caller checks whether it is the one it meant.
   */
  async createUser(user: NewCognitoUser): Promise<'created' | 'exists'> {
    const attributes = [
      { Name: 'email', Value: user.email },
      { Name: 'email_verified', Value: 'true' },
      ...(user.phone
        ? [
            { Name: 'phone_number', Value: user.phone },
            { Name: 'phone_number_verified', Value: 'true' },
          ]
        : []),
    ];
    try {
      await this.send(
        new AdminCreateUserCommand({
          UserPoolId: this.userPoolId,
          Username: user.userId,
          UserAttributes: attributes,
          DesiredDeliveryMediums: ['EMAIL'],
          ...(user.suppressInvitation ? { MessageAction: 'SUPPRESS' } : {}),
          ...(user.temporaryPassword ? { TemporaryPassword: user.temporaryPassword } : {}),
        }),
      );
      return 'created';
    } catch (error) {
      if (error instanceof UsernameExistsException) return 'exists';
      throw error;
    }
  }

  /**
   * Sets only the attributes given, each marked verified as VAMS marks them. Sending the email
   * alone leaves the phone as it is (VAMS's own update clears it).
   */
  async updateContact(userId: string, changes: ContactChanges): Promise<void> {
    const attributes = [
      ...(changes.email !== undefined
        ? [
            { Name: 'email', Value: changes.email },
            { Name: 'email_verified', Value: 'true' },
          ]
        : []),
      ...(changes.phone !== undefined
        ? [
            { Name: 'phone_number', Value: changes.phone },
            { Name: 'phone_number_verified', Value: 'true' },
          ]
        : []),
    ];
    if (attributes.length === 0) return;
    await this.send(
      new AdminUpdateUserAttributesCommand({
        UserPoolId: this.userPoolId,
        Username: userId,
        UserAttributes: attributes,
      }),
    );
  }

  async removePhone(userId: string): Promise<void> {
    await this.send(
      new AdminDeleteUserAttributesCommand({
        UserPoolId: this.userPoolId,
        Username: userId,
        UserAttributeNames: ['phone_number'],
      }),
    );
  }

  async setTemporaryPassword(userId: string, temporaryPassword: string): Promise<void> {
    await this.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: this.userPoolId,
        Username: userId,
        Password: temporaryPassword,
        Permanent: false,
      }),
    );
  }

  /** Cognito emails a fresh temporary password; the user must be in FORCE_CHANGE_PASSWORD. */
  async resendInvitation(userId: string): Promise<void> {
    await this.send(
      new AdminCreateUserCommand({
        UserPoolId: this.userPoolId,
        Username: userId,
        MessageAction: 'RESEND',
        DesiredDeliveryMediums: ['EMAIL'],
      }),
    );
  }

  async deleteUser(userId: string): Promise<void> {
    await this.send(new AdminDeleteUserCommand({ UserPoolId: this.userPoolId, Username: userId }));
  }

  async disableUser(userId: string): Promise<void> {
    await this.send(new AdminDisableUserCommand({ UserPoolId: this.userPoolId, Username: userId }));
  }

  async enableUser(userId: string): Promise<void> {
    await this.send(new AdminEnableUserCommand({ UserPoolId: this.userPoolId, Username: userId }));
  }

  /** Revokes refresh tokens; access tokens already issued live until they expire. */
  async signOutEverywhere(userId: string): Promise<void> {
    await this.send(
      new AdminUserGlobalSignOutCommand({ UserPoolId: this.userPoolId, Username: userId }),
    );
  }

  async passwordPolicy(): Promise<PasswordPolicy> {
    if (this.policy) return this.policy;
    const pool = await this.read(new DescribeUserPoolCommand({ UserPoolId: this.userPoolId }));
    const policy = pool.UserPool?.Policies?.PasswordPolicy;
    this.policy = {
      minimumLength: policy?.MinimumLength ?? 8,
      requireLowercase: policy?.RequireLowercase ?? true,
      requireUppercase: policy?.RequireUppercase ?? true,
      requireNumbers: policy?.RequireNumbers ?? true,
      requireSymbols: policy?.RequireSymbols ?? true,
      temporaryPasswordValidityDays: policy?.TemporaryPasswordValidityDays ?? 7,
    };
    return this.policy;
  }
}
