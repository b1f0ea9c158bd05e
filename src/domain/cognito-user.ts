export interface NewCognitoUser {
  userId: string;
  email: string;
  phone?: string;
  /** Set with `suppressInvitation` when the bot delivers the password itself. */
  temporaryPassword?: string;
  suppressInvitation: boolean;
}

export interface CognitoUserSummary {
  username: string;
  status: string | undefined;
  email: string | undefined;
  phone: string | undefined;
  enabled: boolean;
}

/** New values for a user's contact attributes; an absent one is left as it is. */
export interface ContactChanges {
  email?: string;
  phone?: string;
}

/** Cognito's own ceiling for ListUsers `Limit`. */
export const USER_LIST_PAGE_SIZE = 60;

/** One row of `/vams user list`. */
export interface CognitoUserRow {
  username: string;
  email: string | undefined;
  phone: string | undefined;
  status: string | undefined;
  enabled: boolean;
  created: Date | undefined;
  modified: Date | undefined;
}

/** Everything `/vams user show` says about a Cognito user. */
export interface CognitoUserDetail extends CognitoUserRow {
  sub: string | undefined;
  emailVerified: boolean;
  phoneVerified: boolean;
  /** `UserMFASettingList`: the MFA methods the user has turned on. */
  mfaMethods: string[];
  preferredMfa: string | undefined;
  /** `custom:*` attributes, by name. */
  customAttributes: Array<{ name: string; value: string }>;
}
