/** Why a request or a listener stopped, when the reason is one a person can act on. */
export type DomainErrorCode =
  /** This deployment cannot run the kind (e.g. users live in an external identity provider). */
  | 'unavailable'
  | 'user-id-taken'
  | 'user-gone'
  /** The API key a request is about was deleted meanwhile. */
  | 'key-gone'
  | 'last-admin'
  /** Other removals of admin roles kept winning the race; trying again works. */
  | 'admin-guard-busy'
  | 'key-expiry-passed'
  | 'key-name-refused'
  | 'key-name-taken'
  | 'key-owner-unusable'
  | 'no-key-recipient'
  | 'key-not-delivered'
  | 'role-missing'
  /** The Slack or the VAMS user of a link is linked to someone else. */
  | 'link-taken';

/**
 * An error meant for people: its message is shown as it is, its `code` is what code and logs
 * match on. Anything else that is thrown is a fault and is shown only as an incident reference.
 * Modelled on bolt-js's `CodedError`.
 */
export class DomainError extends Error {
  override readonly name = 'DomainError';

  constructor(
    readonly code: DomainErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}

/** Whether something failed because its Cognito user is not in the pool (any more). */
export function isUserGone(error: unknown): boolean {
  return isDomainError(error) && error.code === 'user-gone';
}

/**
 * What a person reads about a failure: a domain error's own message; for anything else (an SDK
 * error, a bug) only the incident reference its log line carries, never its text.
 */
export function failureReason(error: unknown, incident: string): string {
  return isDomainError(error) ? error.message : `an internal error (reference ${incident})`;
}
