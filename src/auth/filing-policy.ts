import { type Identity, type MappedIdentity, type RefusalReason, sameVamsUser } from './identity';
import { type RolePolicy, standingOf } from './roles';

/** What someone asks to file or do, with what the rules about it need to know. */
export type FilingAsk =
  | { kind: 'user.create' }
  | { kind: 'user.disable'; userId: string }
  | { kind: 'user.enable'; userId: string }
  | { kind: 'user.signout'; userId: string }
  | { kind: 'user.reset-password'; userId: string }
  | { kind: 'user.update'; userId: string }
  | { kind: 'user.offboard'; userIds: readonly string[] }
  | { kind: 'user.directory' }
  /** A key for oneself. */
  | { kind: 'key.request' }
  /** A key owned by another VAMS user. */
  | { kind: 'key.create'; ownerUserId: string }
  /** `ownerUserId` undefined: the asker's own keys. */
  | { kind: 'key.list'; ownerUserId: string | undefined }
  | { kind: 'key.rotate' | 'key.revoke'; apiKeyId: string; ownerUserId: string };

type AskOf<K extends FilingAsk['kind']> = Extract<FilingAsk, { kind: K }>;

export type FilingRefusal =
  | { code: 'not-mapped'; ask: FilingAsk; identityReason: RefusalReason; email: string | undefined }
  | {
      code: 'not-an-admin';
      ask: AskOf<
        | 'user.disable'
        | 'user.enable'
        | 'user.signout'
        | 'user.update'
        | 'user.offboard'
        | 'key.create'
      >;
    }
  | { code: 'not-an-admin-or-manager'; ask: AskOf<'user.directory'> }
  /** Something nobody may ask for about their own account. */
  | { code: 'own-account'; ask: AskOf<'user.disable' | 'user.signout' | 'user.offboard'> }
  /** Only admins may ask for this about another's account; `ownUserId` is the asker's. */
  | { code: 'not-your-account'; ask: AskOf<'user.reset-password'>; ownUserId: string }
  | { code: 'not-the-key-owner'; ask: AskOf<'key.list' | 'key.rotate' | 'key.revoke'> };

export type Filing =
  | { allowed: true; requester: MappedIdentity }
  | { allowed: false; refusal: FilingRefusal };

function mappedRefusal(
  identity: MappedIdentity,
  policy: RolePolicy,
  ask: FilingAsk,
): FilingRefusal | undefined {
  const standing = standingOf(identity.roles, policy);
  const own = (userId: string) => sameVamsUser(identity.vamsUserId, userId);
  switch (ask.kind) {
    case 'user.create':
    case 'key.request':
      return undefined;
    case 'user.disable':
    case 'user.signout':
      if (!standing.isAdmin) return { code: 'not-an-admin', ask };
      return own(ask.userId) ? { code: 'own-account', ask } : undefined;
    case 'user.enable':
    case 'user.update':
    case 'key.create':
      return standing.isAdmin ? undefined : { code: 'not-an-admin', ask };
    case 'user.offboard':
      if (!standing.isAdmin) return { code: 'not-an-admin', ask };
      return ask.userIds.some(own) ? { code: 'own-account', ask } : undefined;
    case 'user.reset-password':
      return standing.isAdmin || own(ask.userId)
        ? undefined
        : { code: 'not-your-account', ask, ownUserId: identity.vamsUserId };
    case 'user.directory':
      return standing.isAdmin || standing.isManager
        ? undefined
        : { code: 'not-an-admin-or-manager', ask };
    case 'key.list':
      return standing.isAdmin || ask.ownerUserId === undefined || own(ask.ownerUserId)
        ? undefined
        : { code: 'not-the-key-owner', ask };
    case 'key.rotate':
    case 'key.revoke':
      return standing.isAdmin || own(ask.ownerUserId)
        ? undefined
        : { code: 'not-the-key-owner', ask };
  }
}

/**
 * Who may file which request (and read or change what needs no approval), from the asker's
 * mapping and the roles they hold now. Rules that need VAMS or Slack (does the key owner hold a
 * usable role) are the callers'.
 */
export function mayFile(identity: Identity, policy: RolePolicy, ask: FilingAsk): Filing {
  if (!identity.mapped) {
    const refusal: FilingRefusal = {
      code: 'not-mapped',
      ask,
      identityReason: identity.reason,
      email: identity.email,
    };
    return { allowed: false, refusal };
  }
  const refusal = mappedRefusal(identity, policy, ask);
  return refusal ? { allowed: false, refusal } : { allowed: true, requester: identity };
}

export function filingRefusal(
  identity: Identity,
  policy: RolePolicy,
  ask: FilingAsk,
): FilingRefusal | undefined {
  const filing = mayFile(identity, policy, ask);
  return filing.allowed ? undefined : filing.refusal;
}
