import {
  AdminCreateUserCommand,
  AdminInitiateAuthCommand,
  type AdminInitiateAuthCommandOutput,
  AdminRespondToAuthChallengeCommand,
  CreateUserPoolClientCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import type { TestDeployment } from './vams-deployment';

/** Signs people in the way VAMS's web client does, to prove what a password or token can do. */
export class CognitoSessions {
  private constructor(
    private readonly deployment: TestDeployment,
    private readonly clientId: string,
  ) {}

  static async create(deployment: TestDeployment): Promise<CognitoSessions> {
    const client = await deployment.clients.cognito.send(
      new CreateUserPoolClientCommand({
        UserPoolId: deployment.userPoolId,
        ClientName: 'vams-web',
        ExplicitAuthFlows: ['ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      }),
    );
    return new CognitoSessions(deployment, client.UserPoolClient?.ClientId ?? '');
  }

  signIn(username: string, password: string): Promise<AdminInitiateAuthCommandOutput> {
    return this.deployment.clients.cognito.send(
      new AdminInitiateAuthCommand({
        UserPoolId: this.deployment.userPoolId,
        ClientId: this.clientId,
        AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: username, PASSWORD: password },
      }),
    );
  }

  refresh(refreshToken: string): Promise<AdminInitiateAuthCommandOutput> {
    return this.deployment.clients.cognito.send(
      new AdminInitiateAuthCommand({
        UserPoolId: this.deployment.userPoolId,
        ClientId: this.clientId,
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        AuthParameters: { REFRESH_TOKEN: refreshToken },
      }),
    );
  }

  /** A confirmed user with a live session: created, then through NEW_PASSWORD_REQUIRED. */
  async confirmedUser(
    username: string,
    email: string,
    password: string,
  ): Promise<{ refreshToken: string }> {
    const temporary = 'Temp#Pass1234';
    await this.deployment.clients.cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: this.deployment.userPoolId,
        Username: username,
        TemporaryPassword: temporary,
        MessageAction: 'SUPPRESS',
        UserAttributes: [
          { Name: 'email', Value: email },
          { Name: 'email_verified', Value: 'true' },
        ],
      }),
    );
    const challenge = await this.signIn(username, temporary);
    if (challenge.ChallengeName !== 'NEW_PASSWORD_REQUIRED') {
      throw new Error(`expected NEW_PASSWORD_REQUIRED, got ${challenge.ChallengeName}`);
    }
    const answered = await this.deployment.clients.cognito.send(
      new AdminRespondToAuthChallengeCommand({
        UserPoolId: this.deployment.userPoolId,
        ClientId: this.clientId,
        ChallengeName: 'NEW_PASSWORD_REQUIRED',
        Session: challenge.Session,
        ChallengeResponses: { USERNAME: username, NEW_PASSWORD: password },
      }),
    );
    const refreshToken = answered.AuthenticationResult?.RefreshToken;
    if (!refreshToken) throw new Error('the new password gave no session');
    return { refreshToken };
  }
}
