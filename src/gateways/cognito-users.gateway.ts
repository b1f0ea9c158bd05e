import {
  AdminGetUserCommand,
  type AttributeType,
  type CognitoIdentityProviderClient,
  ListUsersCommand,
  type ListUsersCommandOutput,
  UserNotFoundException,
  type UserType,
} from '@aws-sdk/client-cognito-identity-provider';
import { z } from 'zod';
import {
  type CognitoUserDetail,
  type CognitoUserRow,
  USER_LIST_PAGE_SIZE,
} from '../domain/cognito-user';

// ListUsers filters are quoted strings: a value with a quote or backslash could change the
// filter, so it is not searched at all.
const UNSAFE_IN_FILTER = /["\\]/;

// A prefix search runs two filters (User ID, then email) and drops users listed already, so one
// page may take several calls to fill; a bound keeps a click cheap however the pool looks.
const CALLS_PER_PAGE = 5;

/**
 * Where a page of users starts: which ListUsers filter (none, `username ^=`, `email ^=`) and
 * Cognito's PaginationToken within it. Kept by the bot between clicks, never put in a button.
 */
export const userListCursor = z.object({
  phase: z.enum(['all', 'username', 'email']),
  token: z.string().optional(),
});
export type UserListCursor = z.infer<typeof userListCursor>;

export function isSafePrefix(prefix: string): boolean {
  return !UNSAFE_IN_FILTER.test(prefix);
}

export function firstUserListCursor(prefix: string | undefined): UserListCursor {
  return { phase: prefix === undefined ? 'all' : 'username' };
}

function attribute(attributes: AttributeType[] | undefined, name: string): string | undefined {
  return attributes?.find((entry) => entry.Name === name)?.Value;
}

function rowOf(
  username: string,
  attributes: AttributeType[] | undefined,
  user: Pick<UserType, 'UserStatus' | 'Enabled' | 'UserCreateDate' | 'UserLastModifiedDate'>,
): CognitoUserRow {
  return {
    username,
    email: attribute(attributes, 'email'),
    phone: attribute(attributes, 'phone_number'),
    status: user.UserStatus,
    enabled: user.Enabled !== false,
    created: user.UserCreateDate,
    modified: user.UserLastModifiedDate,
  };
}

/** Read-only Cognito look-ups used to map people; absent pool = external identity provider. */
export class CognitoUserDirectory {
  constructor(
    private readonly cognito: CognitoIdentityProviderClient,
    private readonly userPoolId: string,
  ) {}

  async existingUsername(username: string): Promise<string | undefined> {
    try {
      const user = await this.cognito.send(
        new AdminGetUserCommand({ UserPoolId: this.userPoolId, Username: username }),
      );
      return user.Username;
    } catch (error) {
      if (error instanceof UserNotFoundException) return undefined;
      throw error;
    }
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

  /**
   * One page of users from `from`, at most USER_LIST_PAGE_SIZE, and where the next page starts
   * (undefined: nothing follows). With a prefix, users whose User ID starts with it come first,
   * then those whose email does; the second pass skips anyone the first one listed.
   */
  async listPage(
    prefix: string | undefined,
    from: UserListCursor,
  ): Promise<{ users: CognitoUserRow[]; next: UserListCursor | undefined }> {
    // Callers check first; this only stops a quote from ever reaching a filter.
    if (prefix !== undefined && !isSafePrefix(prefix)) throw new Error('unsafe list prefix');
    if (prefix === undefined && from.phase !== 'all')
      throw new Error(`a ${from.phase} cursor needs a prefix`);
    const users: CognitoUserRow[] = [];
    let cursor: UserListCursor | undefined = from;
    for (
      let calls = 0;
      cursor && users.length < USER_LIST_PAGE_SIZE && calls < CALLS_PER_PAGE;
      calls += 1
    ) {
      const phase: UserListCursor['phase'] = cursor.phase;
      const page: ListUsersCommandOutput = await this.cognito.send(
        new ListUsersCommand({
          UserPoolId: this.userPoolId,
          Limit: USER_LIST_PAGE_SIZE - users.length,
          ...(cursor.token ? { PaginationToken: cursor.token } : {}),
          ...(phase === 'all' ? {} : { Filter: `${phase} ^= "${prefix}"` }),
        }),
      );
      for (const user of page.Users ?? []) {
        if (!user.Username) continue;
        // Cognito's username filter is case-sensitive, so this is exactly "listed already".
        if (phase === 'email' && prefix !== undefined && user.Username.startsWith(prefix)) continue;
        users.push(rowOf(user.Username, user.Attributes, user));
      }
      if (page.PaginationToken) cursor = { phase, token: page.PaginationToken };
      else cursor = phase === 'username' ? { phase: 'email' } : undefined;
    }
    return { users, next: cursor };
  }

  /** AdminGetUser, read in full: VAMS's own list always reports MFA as off; this does not. */
  async userDetail(username: string): Promise<CognitoUserDetail | undefined> {
    try {
      const user = await this.cognito.send(
        new AdminGetUserCommand({ UserPoolId: this.userPoolId, Username: username }),
      );
      const attributes = user.UserAttributes;
      return {
        ...rowOf(user.Username ?? username, attributes, user),
        sub: attribute(attributes, 'sub'),
        emailVerified: attribute(attributes, 'email_verified') === 'true',
        phoneVerified: attribute(attributes, 'phone_number_verified') === 'true',
        mfaMethods: user.UserMFASettingList ?? [],
        preferredMfa: user.PreferredMfaSetting || undefined,
        customAttributes: (attributes ?? []).flatMap((entry) =>
          entry.Name?.startsWith('custom:') ? [{ name: entry.Name, value: entry.Value ?? '' }] : [],
        ),
      };
    } catch (error) {
      if (error instanceof UserNotFoundException) return undefined;
      throw error;
    }
  }
}
