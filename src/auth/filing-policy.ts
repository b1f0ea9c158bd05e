import type { RequestKind } from '../domain/request';
import { definitionOf } from '../kinds/registry';
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
  | {
      kind: 'key.rotate' | 'key.revoke' | 'key.update' | 'key.reactivate';
      apiKeyId: string;
      ownerUserId: string;
    }
  /** A role given to another VAMS user (or, by an admin, to themselves). */
  | { kind: 'role.assign'; userId: string }
  /** A time-bound grant for oneself. */
  | { kind: 'role.request' }
  | { kind: 'role.remove'; userId: string }
  /** `userId` undefined: every role of the deployment. */
  | { kind: 'role.list'; userId: string | undefined }
  | { kind: 'link'; vamsUserId: string }
  /** Removing a Slack user's link: admins, or that Slack user. */
  | { kind: 'unlink'; slackUserId: string };

type AskOf<K extends FilingAsk['kind']> = Extract<FilingAsk, { kind: K }>;

export type FilingRefusal =
  | { code: 'not-mapped'; ask: FilingAsk; identityReason: RefusalReason; email: string | undefined }
  /** Only admins may ask for this (the kind's `by: 'admins'`). */
  | { code: 'not-an-admin'; ask: FilingAsk }
  | { code: 'not-an-admin-or-manager'; ask: AskOf<'user.directory' | 'role.list'> }
  /** Something nobody may ask for about their own account (the kind's `ownAccount: 'refused'`). */
  | { code: 'own-account'; ask: FilingAsk }
  /** Only admins may ask for this about another's account; `ownUserId` is the asker's. */
  | { code: 'not-your-account'; ask: AskOf<'user.reset-password'>; ownUserId: string }
  | {
      code: 'not-the-key-owner';
      ask: AskOf<'key.list' | 'key.rotate' | 'key.revoke' | 'key.update' | 'key.reactivate'>;
    };

export type Filing =
  | { allowed: true; requester: MappedIdentity }
  | { allowed: false; refusal: FilingRefusal };

/**
 * The request an ask would file, and the VAMS users it is about; none for reads. `forOthers`:
 * the command is the one for other people's accounts, whoever it names (`/vams key create`
 * against `/vams key request`), so a non-admin is refused it even about themselves.
 */
function requestOf(
  ask: FilingAsk,
  asker: string,
): { kind: RequestKind; about: readonly string[]; forOthers?: true } | undefined {
  switch (ask.kind) {
    case 'user.create':
      return { kind: ask.kind, about: [] };
    case 'key.request':
      return { kind: 'key.create', about: [asker] };
    case 'key.create':
      return { kind: ask.kind, about: [ask.ownerUserId], forOthers: true };
    case 'key.rotate':
    case 'key.update':
    case 'key.reactivate':
      return { kind: ask.kind, about: [ask.ownerUserId] };
    case 'role.assign':
      return { kind: ask.kind, about: [ask.userId], forOthers: true };
    case 'role.request':
      return { kind: ask.kind, about: [asker] };
    case 'role.remove':
      return { kind: ask.kind, about: [ask.userId] };
    case 'user.offboard':
      return { kind: ask.kind, about: ask.userIds };
    case 'link':
      return { kind: ask.kind, about: [ask.vamsUserId] };
    case 'user.disable':
    case 'user.enable':
    case 'user.signout':
    case 'user.reset-password':
    case 'user.update':
      return { kind: ask.kind, about: [ask.userId] };
    case 'user.directory':
    case 'key.list':
    case 'key.revoke':
    case 'role.list':
    case 'unlink':
      return undefined;
  }
}

/** What a non-admin is told who asks an admins' request about someone else. */
function othersRefusal(ask: FilingAsk, identity: MappedIdentity): FilingRefusal {
  switch (ask.kind) {
    case 'user.reset-password':
      return { code: 'not-your-account', ask, ownUserId: identity.vamsUserId };
    case 'key.rotate':
    case 'key.revoke':
    case 'key.update':
    case 'key.reactivate':
    case 'key.list':
      return { code: 'not-the-key-owner', ask };
    default:
      return { code: 'not-an-admin', ask };
  }
}

function mappedRefusal(
  identity: MappedIdentity,
  policy: RolePolicy,
  ask: FilingAsk,
): FilingRefusal | undefined {
  const standing = standingOf(identity.roles, policy);
  const own = (userId: string) => sameVamsUser(identity.vamsUserId, userId);
  const request = requestOf(ask, identity.vamsUserId);
  if (request) {
    // Who may file a kind is the kind's own data (its definition's `filing`).
    const rules = definitionOf(request.kind).filing;
    const aboutSelf = request.about.some(own);
    const onlySelf = !request.forOthers && request.about.length > 0 && request.about.every(own);
    if (rules.by === 'anyone') return undefined;
    if (!standing.isAdmin) {
      return rules.ownAccount === 'anyone' && onlySelf ? undefined : othersRefusal(ask, identity);
    }
    return rules.ownAccount === 'refused' && aboutSelf ? { code: 'own-account', ask } : undefined;
  }
  switch (ask.kind) {
    case 'user.directory':
      return standing.isAdmin || standing.isManager
        ? undefined
        : { code: 'not-an-admin-or-manager', ask };
    case 'role.list':
      return standing.isAdmin || standing.isManager || (ask.userId !== undefined && own(ask.userId))
        ? undefined
        : { code: 'not-an-admin-or-manager', ask };
    case 'key.list':
      return standing.isAdmin || ask.ownerUserId === undefined || own(ask.ownerUserId)
        ? undefined
        : othersRefusal(ask, identity);
    case 'key.revoke':
      return standing.isAdmin || own(ask.ownerUserId) ? undefined : othersRefusal(ask, identity);
    case 'unlink':
      return standing.isAdmin || ask.slackUserId === identity.slackUserId
        ? undefined
        : othersRefusal(ask, identity);
    default:
      return undefined;
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
