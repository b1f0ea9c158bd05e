import {
  AdminGetUserCommand,
  type CognitoIdentityProviderClient,
  ListUsersCommand,
  UserNotFoundException,
} from '@aws-sdk/client-cognito-identity-provider';

// ListUsers filters are quoted strings: a value with a quote or backslash could change the
// filter, so it is not searched at all.
const UNSAFE_IN_FILTER = /["\\]/;

/** Read-only Cognito look-ups used to map people; absent pool = external identity provider. */
export class CognitoUserDirectory {
  constructor(
    private readonly cognito: CognitoIdentityProviderClient,
    private readonly userPoolId: string,
  ) {}

  async firstExistingUsername(candidates: readonly string[]): Promise<string | undefined> {
    for (const username of candidates) {
      try {
        const user = await this.cognito.send(
          new AdminGetUserCommand({ UserPoolId: this.userPoolId, Username: username }),
        );
        if (user.Username) return user.Username;
      } catch (error) {
        if (!(error instanceof UserNotFoundException)) throw error;
      }
    }
    return undefined;
  }

  async usernamesWithEmail(candidates: readonly string[]): Promise<string[]> {
    const found = new Set<string>();
    for (const email of candidates) {
      if (UNSAFE_IN_FILTER.test(email)) continue;
      const page = await this.cognito.send(
        new ListUsersCommand({
          UserPoolId: this.userPoolId,
          Filter: `email = "${email}"`,
          Limit: 2,
        }),
      );
      for (const user of page.Users ?? []) if (user.Username) found.add(user.Username);
    }
    return [...found];
  }
}
