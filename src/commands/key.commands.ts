import { randomUUID } from 'node:crypto';
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { ModalView } from '@slack/types';
import { z } from 'zod';
import { type FilingAsk, mayFile } from '../auth/filing-policy';
import { type Identity, sameVamsUser } from '../auth/identity';
import { standingOf } from '../auth/roles';
import type { ApiKeyMetadata } from '../domain/api-key';
import type { AuditEvent } from '../domain/audit';
import { type Person, REASON_REQUIRED } from '../domain/request';
import { checkKeyForm, daysAhead, type KeyLimits, rotatedName } from '../kinds/api-key/key-rules';
import { parseViewState, textValue } from '../slack/view-state';
import type { VamsApiKeyStore } from '../stores/vams-api-keys.store';
import { apiKeyExpiry, endOfDayUtc, zonedInstant } from '../vams/api-key-format';
import { VAMS_USER_ID } from '../vams/vams-format';
import {
  API_KEY_IDS,
  allKeysMessage,
  apiKeyListMessage,
  apiKeyModal,
  deleteConfirmation,
  deletedByAdminDm,
  type KeyFilter,
  keyUpdateModal,
  reactivateModal,
  revokedByAdminDm,
  revokedReply,
  rotateModal,
  updatedByAdminDm,
} from '../views/api-key.view';
import { filingRefusalText } from '../views/filing-refusal.view';
import { usageErrorMessage } from '../views/help.view';
import { type MessageBody, sectionMessage } from '../views/message';
import { code, escapeMrkdwn, slackDate } from '../views/mrkdwn';
import { noticeModal } from '../views/user-create.view';
import { logAuthChangeBy } from '../workflow/auth-changes';
import type { RequestDraft } from '../workflow/workflow';
import {
  fieldErrorsAck,
  noticeAck,
  openThenCheck,
  type RequestFeature,
  reasonErrorAck,
} from './dialogs';
import { answerClick, type HomeTabs } from './home.commands';
import type { Invocation, SubCommand } from './sub-command';
import { submitRequest, tellNotFiled } from './submit-request';

export interface ApiKeyFeature extends RequestFeature {
  apiKeys: VamsApiKeyStore;
  /** `heldRoles`: the owner's roles when they were read moments ago, for this same request. */
  ownerProblem(ownerUserId: string, heldRoles?: readonly string[]): Promise<string | undefined>;
  /** The Slack user of a VAMS user, when one can be found (to tell an owner of a revocation). */
  slackUserOf(vamsUserId: string): Promise<string | undefined>;
  /** Why this Slack person may not receive a key of this VAMS user; undefined if they may. */
  recipientProblem(slackUserId: string, vamsUserId: string): Promise<string | undefined>;
  audit(event: AuditEvent): Promise<void>;
  /** The owner is gone from Cognito or holds no VAMS role: the key serves nobody. */
  orphaned(userId: string): Promise<boolean>;
  limits: KeyLimits;
  clock: () => Date;
  /** Buttons on someone's Home tab are answered there. */
  homes?: HomeTabs;
}

const USAGE = {
  request: '/vams key request',
  create: '/vams key create <userId>',
  list: '/vams key list [userId]',
  listAll: '/vams key list --all [expiring|inactive|orphaned]',
  revoke: '/vams key revoke <apiKeyId>',
  rotate: '/vams key rotate <apiKeyId>',
  delete: '/vams key delete <apiKeyId>',
  update: '/vams key update <apiKeyId>',
  reactivate: '/vams key reactivate <apiKeyId>',
} as const;

const API_KEY_ID = /^[0-9a-fA-F-]{8,64}$/;
const ROTATE_TITLE = 'Rotate an API key';

function keyAsk(
  kind: 'key.rotate' | 'key.revoke' | 'key.update' | 'key.reactivate',
  key: ApiKeyMetadata,
): FilingAsk {
  return { kind, apiKeyId: key.apiKeyId, ownerUserId: key.userId };
}

function oneKeyId(invocation: Invocation): string | undefined {
  const [apiKeyId, ...extra] = invocation.args;
  return apiKeyId && extra.length === 0 && API_KEY_ID.test(apiKeyId) ? apiKeyId : undefined;
}

/** A key for `owner`, or for oneself when `owner` is ''. */
function newKeyAsk(owner: string): FilingAsk {
  return owner ? { kind: 'key.create', ownerUserId: owner } : { kind: 'key.request' };
}

/** Why this person cannot ask for a key for `owner`: the filing rules, then the owner's roles. */
async function newKeyProblem(
  feature: ApiKeyFeature,
  identity: Identity,
  owner: string,
): Promise<string | undefined> {
  const filing = mayFile(identity, feature.policy, newKeyAsk(owner));
  if (!filing.allowed) return filingRefusalText(filing.refusal);
  // A key of one's own acts with the roles just read for the identity.
  return owner
    ? feature.ownerProblem(owner)
    : feature.ownerProblem(filing.requester.vamsUserId, filing.requester.roles);
}

function keyDialog(feature: ApiKeyFeature, owner: string) {
  const now = feature.clock();
  const approval =
    'An admin approves it in the approvals channel; the key then reaches you by DM, once.';
  return apiKeyModal({
    title: owner ? 'Create an API key' : 'Request an API key',
    what: owner
      ? `A VAMS API key owned by ${code(owner)}, with that user's VAMS roles. ${approval}`
      : `A VAMS API key of your own, with your VAMS roles. ${approval}`,
    metadata: owner,
    defaultDate: daysAhead(now, feature.limits.defaultDays),
  });
}

async function freeRotatedName(feature: ApiKeyFeature, key: ApiKeyMetadata): Promise<string> {
  for (let attempt = 1; attempt <= 5; attempt += 1) {
    const name = rotatedName(key.name, feature.clock(), String(attempt));
    if (!(await feature.apiKeys.nameTaken(name))) return name;
  }
  return rotatedName(key.name, feature.clock(), randomUUID().slice(0, 8));
}

/** The rotation dialog for a key, or why it cannot be rotated by this person. */
async function rotationDialog(
  feature: ApiKeyFeature,
  ask: { slackUserId: string; teamId: string | undefined; apiKeyId: string },
): Promise<ModalView | string> {
  const [identity, key] = await Promise.all([
    feature.identify(ask.slackUserId, ask.teamId),
    feature.apiKeys.get(ask.apiKeyId),
  ]);
  if (!key) return `There is no API key ${code(ask.apiKeyId)}.`;
  if (!key.active)
    return `API key ${code(key.name)} is inactive; ask for a new one with \`/vams key request\`.`;
  const filing = mayFile(identity, feature.policy, keyAsk('key.rotate', key));
  if (!filing.allowed) return filingRefusalText(filing.refusal);
  const problem = await feature.ownerProblem(key.userId);
  return problem ?? rotateModal(key, rotatedName(key.name, feature.clock(), '1'));
}

/** A trigger lives 3 s: a loading dialog opens first, then the key is read and the form shown. */
async function openRotation(
  feature: ApiKeyFeature,
  ask: { triggerId: string; slackUserId: string; teamId: string | undefined; apiKeyId: string },
): Promise<void> {
  const loading = noticeModal(ROTATE_TITLE, `Loading… reading API key ${code(ask.apiKeyId)}.`);
  await openThenCheck(feature, ask.triggerId, loading, () => rotationDialog(feature, ask));
}

export function apiKeyCommands(feature: ApiKeyFeature): SubCommand[] {
  const requestKey: SubCommand = {
    name: 'key request',
    audience: 'mapped',
    usage: USAGE.request,
    summary: 'a VAMS API key of your own, delivered by DM (needs an approval)',
    run: async (invocation) => {
      if (invocation.args.length > 0) {
        await invocation.ack(usageErrorMessage('This takes no arguments.', USAGE.request));
        return;
      }
      await invocation.ack();
      await openThenCheck(feature, invocation.triggerId, keyDialog(feature, ''), async () =>
        newKeyProblem(
          feature,
          await feature.identify(invocation.slackUserId, invocation.teamId),
          '',
        ),
      );
    },
  };

  const createKey: SubCommand = {
    name: 'key create',
    audience: 'admins',
    usage: USAGE.create,
    summary:
      'admins: a key owned by another VAMS user (e.g. a CI bot), delivered to you by DM (needs an approval)',
    run: async (invocation) => {
      const [owner, ...extra] = invocation.args;
      if (!owner || extra.length > 0 || !VAMS_USER_ID.test(owner)) {
        await invocation.ack(
          usageErrorMessage('Name the VAMS user ID that will own the key.', USAGE.create),
        );
        return;
      }
      await invocation.ack();
      await openThenCheck(feature, invocation.triggerId, keyDialog(feature, owner), async () =>
        newKeyProblem(
          feature,
          await feature.identify(invocation.slackUserId, invocation.teamId),
          owner,
        ),
      );
    },
  };

  const listKeys: SubCommand = {
    name: 'key list',
    audience: 'mapped',
    usage: USAGE.list,
    summary:
      'your API keys (admins: anyone’s, or with `--all [expiring|inactive|orphaned]` every key, a page at a time): metadata only',
    run: async (invocation) => {
      const [wanted, ...extra] = invocation.args;
      if (wanted?.toLowerCase() === '--all') {
        const [filter, ...more] = extra.map((word) => word.toLowerCase());
        if (more.length > 0 || (filter !== undefined && !isKeyFilter(filter))) {
          await invocation.ack(
            usageErrorMessage('Filter by `expiring`, `inactive` or `orphaned`.', USAGE.listAll),
          );
          return;
        }
        await invocation.ack();
        await invocation.reply(await allKeys(feature, invocation, filter, undefined));
        return;
      }
      if (extra.length > 0 || (wanted !== undefined && !VAMS_USER_ID.test(wanted))) {
        await invocation.ack(usageErrorMessage('Name at most one VAMS user ID.', USAGE.list));
        return;
      }
      await invocation.ack();
      const filing = mayFile(
        await feature.identify(invocation.slackUserId, invocation.teamId),
        feature.policy,
        { kind: 'key.list', ownerUserId: wanted },
      );
      if (!filing.allowed) {
        await invocation.reply(sectionMessage(filingRefusalText(filing.refusal)));
        return;
      }
      const owner = wanted ?? filing.requester.vamsUserId;
      const keys = await feature.apiKeys.keysOf(owner);
      await invocation.reply(apiKeyListMessage(owner, keys, feature.clock()));
    },
  };

  const revokeKey: SubCommand = {
    name: 'key revoke',
    audience: 'mapped',
    usage: USAGE.revoke,
    summary: 'deactivate a key at once: your own, or as an admin anyone’s (the owner is told)',
    run: async (invocation) => {
      const apiKeyId = oneKeyId(invocation);
      if (!apiKeyId) {
        await invocation.ack(
          usageErrorMessage('Name one API key id (see `/vams key list`).', USAGE.revoke),
        );
        return;
      }
      await invocation.ack();
      await invocation.reply(sectionMessage(await revoke(feature, invocation, apiKeyId)));
    },
  };

  const rotateKey: SubCommand = {
    name: 'key rotate',
    audience: 'mapped',
    usage: USAGE.rotate,
    summary:
      'a new key with the same owner and description; the old one is deactivated once the new one is delivered (needs an approval)',
    run: async (invocation) => {
      const apiKeyId = oneKeyId(invocation);
      if (!apiKeyId) {
        await invocation.ack(
          usageErrorMessage('Name one API key id (see `/vams key list`).', USAGE.rotate),
        );
        return;
      }
      await invocation.ack();
      await openRotation(feature, {
        triggerId: invocation.triggerId,
        slackUserId: invocation.slackUserId,
        teamId: invocation.teamId,
        apiKeyId,
      });
    },
  };

  const deleteKey: SubCommand = {
    name: 'key delete',
    audience: 'mapped',
    usage: USAGE.delete,
    summary: 'delete a key for good: your own, or as an admin anyone’s (asks once more; audited)',
    run: async (invocation) => {
      const apiKeyId = oneKeyId(invocation);
      if (!apiKeyId) {
        await invocation.ack(
          usageErrorMessage('Name one API key id (see `/vams key list`).', USAGE.delete),
        );
        return;
      }
      await invocation.ack();
      const [identity, key] = await Promise.all([
        feature.identify(invocation.slackUserId, invocation.teamId),
        feature.apiKeys.get(apiKeyId),
      ]);
      if (!key) {
        await invocation.reply(sectionMessage(`There is no API key ${code(apiKeyId)}.`));
        return;
      }
      const filing = mayFile(identity, feature.policy, keyAsk('key.revoke', key));
      await invocation.reply(
        filing.allowed
          ? deleteConfirmation(key)
          : sectionMessage(filingRefusalText(filing.refusal)),
      );
    },
  };

  const updateKey: SubCommand = {
    name: 'key update',
    usage: USAGE.update,
    audience: 'mapped',
    summary:
      'a key’s description or expiry: a new description or an earlier expiry at once, a later one needs an approval',
    run: async (invocation) => {
      const apiKeyId = oneKeyId(invocation);
      if (!apiKeyId) {
        await invocation.ack(
          usageErrorMessage('Name one API key id (see `/vams key list`).', USAGE.update),
        );
        return;
      }
      await invocation.ack();
      const loading = noticeModal(UPDATE_TITLE, `Loading… reading API key ${code(apiKeyId)}.`);
      await openThenCheck(feature, invocation.triggerId, loading, async () => {
        const found = await changeableKey(feature, invocation, apiKeyId, 'key.update');
        if (typeof found === 'string') return found;
        const expiry = zonedInstant(found.key.expiresAt);
        return keyUpdateModal(found.key, expiry?.toISOString().slice(0, 10));
      });
    },
  };

  const reactivateKey: SubCommand = {
    name: 'key reactivate',
    usage: USAGE.reactivate,
    audience: 'mapped',
    summary: 'switch a deactivated key on again (needs an approval)',
    run: async (invocation) => {
      const apiKeyId = oneKeyId(invocation);
      if (!apiKeyId) {
        await invocation.ack(
          usageErrorMessage('Name one API key id (see `/vams key list`).', USAGE.reactivate),
        );
        return;
      }
      await invocation.ack();
      const loading = noticeModal(REACTIVATE_TITLE, `Loading… reading API key ${code(apiKeyId)}.`);
      await openThenCheck(feature, invocation.triggerId, loading, async () => {
        const found = await reactivatableKey(feature, invocation, apiKeyId);
        return typeof found === 'string' ? found : reactivateModal(found.key);
      });
    },
  };

  return [
    requestKey,
    createKey,
    listKeys,
    revokeKey,
    rotateKey,
    updateKey,
    reactivateKey,
    deleteKey,
  ];
}

const KEY_FILTERS = ['expiring', 'inactive', 'orphaned'] as const;
const isKeyFilter = (word: string): word is KeyFilter =>
  (KEY_FILTERS as readonly string[]).includes(word);
/** Keys shown per page, and the most read to fill one (a filter may match few). */
const ALL_PAGE = 24;
const ALL_SCAN_MAX = 1000;
const EXPIRING_DAYS = 7;

/** One page of every key, for admins only, read now. */
async function allKeys(
  feature: ApiKeyFeature,
  who: { slackUserId: string; teamId: string | undefined },
  filter: KeyFilter | undefined,
  after: string | undefined,
): Promise<MessageBody> {
  const identity = await feature.identify(who.slackUserId, who.teamId);
  if (!identity.mapped || !standingOf(identity.roles, feature.policy).isAdmin) {
    return sectionMessage(
      'Only VAMS admins can list every API key; `/vams key list` shows your own.',
    );
  }
  const now = feature.clock();
  const soon = now.getTime() + EXPIRING_DAYS * 86_400_000;
  const orphans = new Map<string, Promise<boolean>>();
  const matches = async (key: ApiKeyMetadata) => {
    if (filter === 'inactive') return !key.active;
    if (filter === 'expiring') {
      const expiry = zonedInstant(key.expiresAt);
      return key.active && expiry !== undefined && expiry.getTime() <= soon;
    }
    if (filter === 'orphaned') {
      // One failed lookup leaves that key out of the page rather than failing the whole page.
      const known =
        orphans.get(key.userId) ??
        feature.orphaned(key.userId).catch((error: unknown) => {
          feature.logger.warn({ err: error }, 'could not tell whether a key owner is gone');
          return false;
        });
      orphans.set(key.userId, known);
      return known;
    }
    return true;
  };
  const shown: ApiKeyMetadata[] = [];
  let cursor = after;
  let scanned = 0;
  let next: string | undefined;
  // A page ends at its 24th key, so the next one starts right after it, skipping nothing.
  while (scanned < ALL_SCAN_MAX) {
    const page = await feature.apiKeys.scanPage(cursor, 100);
    scanned += page.keys.length;
    const flags = await Promise.all(page.keys.map(matches));
    let full = false;
    for (const [index, key] of page.keys.entries()) {
      if (!flags[index]) continue;
      shown.push(key);
      if (shown.length === ALL_PAGE) {
        full = true;
        next = index < page.keys.length - 1 || page.last ? key.apiKeyId : undefined;
        break;
      }
    }
    if (full) break;
    cursor = page.last;
    next = page.last;
    if (!page.last) break;
  }
  return allKeysMessage({ filter, keys: shown, next, scanned, now });
}

const UPDATE_TITLE = 'Update an API key';
const REACTIVATE_TITLE = 'Reactivate an API key';

/** The key, if it is there and this person may change it; else why not. */
async function changeableKey(
  feature: ApiKeyFeature,
  who: { slackUserId: string; teamId: string | undefined },
  apiKeyId: string,
  kind: 'key.update' | 'key.reactivate',
): Promise<{ key: ApiKeyMetadata; requester: Identity & { mapped: true } } | string> {
  const [identity, key] = await Promise.all([
    feature.identify(who.slackUserId, who.teamId),
    feature.apiKeys.get(apiKeyId),
  ]);
  if (!key) return `There is no API key ${code(apiKeyId)}.`;
  const filing = mayFile(identity, feature.policy, keyAsk(kind, key));
  if (!filing.allowed) return filingRefusalText(filing.refusal);
  if (kind === 'key.update' && !key.active) {
    return `API key ${code(key.name)} is inactive; switch it on with \`/vams key reactivate ${key.apiKeyId}\` first.`;
  }
  return { key, requester: filing.requester };
}

/** A key that may be asked to work again: inactive, not expired, its owner able to use keys. */
async function reactivatableKey(
  feature: ApiKeyFeature,
  who: { slackUserId: string; teamId: string | undefined },
  apiKeyId: string,
): Promise<{ key: ApiKeyMetadata; requester: Identity & { mapped: true } } | string> {
  const found = await changeableKey(feature, who, apiKeyId, 'key.reactivate');
  if (typeof found === 'string') return found;
  const { key } = found;
  if (key.active) return `API key ${code(key.name)} is active already.`;
  const expiry = zonedInstant(key.expiresAt);
  if (expiry && expiry.getTime() <= feature.clock().getTime()) {
    return `API key ${code(key.name)} expired ${slackDate(expiry.toISOString())}, so it would not work even if active. Ask for a new key with \`/vams key request\`.`;
  }
  const problem = await feature.ownerProblem(key.userId);
  return problem ?? found;
}

/** What the `key update` dialog asks for, checked as VAMS and the expiry limits want it. */
function checkUpdateForm(
  input: { description: string; expires: string; reason: string },
  now: Date,
  limits: KeyLimits,
):
  | { ok: true; description: string; expiresAt: string; reason: string }
  | {
      ok: false;
      errors: Partial<Record<'description' | 'expires' | 'reason', string>>;
    } {
  // The key form's own rules, with the key's name left as it is.
  const checked = checkKeyForm({ ...input, name: 'unchanged' }, now, limits);
  if (checked.ok) {
    return {
      ok: true,
      description: checked.description,
      expiresAt: checked.expiresAt,
      reason: checked.reason,
    };
  }
  const { description, expires, reason } = checked.errors;
  return {
    ok: false,
    errors: {
      ...(description ? { description } : {}),
      ...(expires ? { expires } : {}),
      ...(reason ? { reason } : {}),
    },
  };
}

/** No approval: deleting takes access away for good. Someone else's key: audited, owner told. */
async function deleteKeyNow(
  feature: ApiKeyFeature,
  clicker: { slackUserId: string; teamId: string | undefined },
  apiKeyId: string,
): Promise<string> {
  const [identity, key] = await Promise.all([
    feature.identify(clicker.slackUserId, clicker.teamId),
    feature.apiKeys.get(apiKeyId),
  ]);
  if (!key) return `There is no API key ${code(apiKeyId)} any more; nothing was changed.`;
  const filing = mayFile(identity, feature.policy, keyAsk('key.revoke', key));
  if (!filing.allowed) return filingRefusalText(filing.refusal);
  const deleter = filing.requester;
  const now = feature.clock();
  if (!(await feature.apiKeys.remove(key.apiKeyId))) {
    return `API key ${code(key.apiKeyId)} was already deleted.`;
  }
  const own = sameVamsUser(deleter.vamsUserId, key.userId);
  logAuthChangeBy(
    feature.logger,
    'apiKeyDelete',
    { users: [deleter.vamsUserId], roles: deleter.roles },
    { apiKeyId: key.apiKeyId, userId: key.userId, deletedBy: deleter.vamsUserId },
  );
  await feature.audit({
    requestId: `key-${key.apiKeyId}`,
    at: now.toISOString(),
    type: own ? 'key-deleted-by-owner' : 'key-deleted-by-admin',
    actor: deleter.vamsUserId,
    detail: { apiKeyId: key.apiKeyId, owner: key.userId, slackUserId: deleter.slackUserId },
  });
  const deleted = `Deleted API key *${escapeMrkdwn(key.name)}* (${code(key.apiKeyId)}).`;
  if (own) return deleted;
  const ownerSlackUser = await feature.slackUserOf(key.userId).catch(() => undefined);
  if (!ownerSlackUser)
    return `${deleted} ${code(key.userId)} could not be found in Slack, so nobody was told.`;
  try {
    await feature.dms.send(ownerSlackUser, deletedByAdminDm(key, deleter.slackUserId));
    return `${deleted} <@${ownerSlackUser}> was told by DM.`;
  } catch (error) {
    feature.logger.warn(
      { err: error, apiKeyId: key.apiKeyId },
      'could not tell the owner of a deleted key',
    );
    return `${deleted} Telling <@${ownerSlackUser}> by DM failed; please tell them.`;
  }
}

/** No approval: a revocation only takes access away. An admin's on another's key is audited. */
async function revoke(
  feature: ApiKeyFeature,
  invocation: { slackUserId: string; teamId: string | undefined },
  apiKeyId: string,
): Promise<string> {
  const [identity, key] = await Promise.all([
    feature.identify(invocation.slackUserId, invocation.teamId),
    feature.apiKeys.get(apiKeyId),
  ]);
  if (!key) return `There is no API key ${code(apiKeyId)}.`;
  const filing = mayFile(identity, feature.policy, keyAsk('key.revoke', key));
  if (!filing.allowed) return filingRefusalText(filing.refusal);
  const revoker = filing.requester;
  const now = feature.clock();
  const outcome = await feature.apiKeys.deactivate(key.apiKeyId, now);
  if (outcome === 'already inactive') return revokedReply(key, outcome);
  const own = sameVamsUser(revoker.vamsUserId, key.userId);
  logAuthChangeBy(
    feature.logger,
    'apiKeyUpdate',
    { users: [revoker.vamsUserId], roles: revoker.roles },
    { apiKeyId: key.apiKeyId, userId: key.userId, isActive: false, revokedBy: revoker.vamsUserId },
  );
  await feature.audit({
    requestId: `key-${key.apiKeyId}`,
    at: now.toISOString(),
    type: own ? 'key-revoked-by-owner' : 'key-revoked-by-admin',
    actor: revoker.vamsUserId,
    detail: { apiKeyId: key.apiKeyId, owner: key.userId, slackUserId: revoker.slackUserId },
  });
  if (own) return revokedReply(key, outcome);
  const ownerSlackUser = await feature.slackUserOf(key.userId).catch(() => undefined);
  if (!ownerSlackUser)
    return `${revokedReply(key, outcome)} ${code(key.userId)} could not be found in Slack, so nobody was told.`;
  try {
    await feature.dms.send(ownerSlackUser, revokedByAdminDm(key, revoker.slackUserId));
    return `${revokedReply(key, outcome)} <@${ownerSlackUser}> was told by DM.`;
  } catch (error) {
    feature.logger.warn(
      { err: error, apiKeyId: key.apiKeyId },
      'could not tell the owner of a revoked key',
    );
    return `${revokedReply(key, outcome)} Telling <@${ownerSlackUser}> by DM failed; please tell them.`;
  }
}

/** A rotation request: a free name for the new key, and who receives its value. */
async function rotationDraft(
  feature: ApiKeyFeature,
  key: ApiKeyMetadata,
  requester: Person,
  reason: string,
): Promise<RequestDraft> {
  // The new value goes to the key's owner only when the Slack account found for them passes the
  // identity rules as that very VAMS user: whoever holds a CI bot's Cognito email in Slack (or a
  // guest, a deactivated or foreign account) does not get it; the admin who asks does. Vetted
  // again when the key is delivered.
  const [name, ownerInSlack] = await Promise.all([
    freeRotatedName(feature, key),
    feature.slackUserOf(key.userId).catch(() => undefined),
  ]);
  const ownerProblem = ownerInSlack
    ? await feature.recipientProblem(ownerInSlack, key.userId)
    : `${key.userId} was not found in Slack`;
  const deliverTo = ownerInSlack && !ownerProblem ? ownerInSlack : requester.slackUserId;
  return {
    kind: 'key.rotate',
    params: {
      apiKeyId: randomUUID(),
      ownerUserId: key.userId,
      name,
      description: key.description,
      expiresAt: apiKeyExpiry(endOfDayUtc(daysAhead(feature.clock(), feature.limits.defaultDays))),
      deliverTo,
      replacesApiKeyId: key.apiKeyId,
      replacesName: key.name,
    },
    reason,
    requester,
    subject: key.userId,
    preflight: [
      { check: 'old-key-active', ok: true, detail: `${key.name} (${key.apiKeyId}) is active` },
      {
        check: 'owner-role',
        ok: true,
        detail: `${key.userId} holds a VAMS role that works with API keys`,
      },
      ...(ownerProblem && requester.vamsUserId !== key.userId
        ? [
            {
              check: 'recipient',
              ok: true,
              detail: `The new key goes to the admin who asks, not its owner: ${ownerProblem}`,
            },
          ]
        : []),
    ],
  };
}

export function registerApiKeyFeature(app: App, feature: ApiKeyFeature): void {
  app.view(API_KEY_IDS.requestCallbackId, async ({ ack, body, view }) => {
    const values = parseViewState(view.state.values);
    const checked = checkKeyForm(
      {
        name: textValue(values, API_KEY_IDS.name),
        description: textValue(values, API_KEY_IDS.description),
        expires: textValue(values, API_KEY_IDS.expires),
        reason: textValue(values, API_KEY_IDS.reason),
      },
      feature.clock(),
      feature.limits,
    );
    if (!checked.ok) {
      await ack(fieldErrorsAck(checked.errors, API_KEY_IDS));
      return;
    }
    const owner = view.private_metadata;
    const title = owner ? 'Create an API key' : 'Request an API key';
    // What decides the answer is read before the ack, all at once, within Slack's 3 s; a key
    // for oneself waits for who that is. Only someone the policy lets ask sees the owner check.
    const readAt = feature.clock().getTime();
    const [asker, nameTaken, namedOwnerProblem] = await Promise.all([
      feature.identify(body.user.id, body.user.team_id ?? body.team?.id),
      feature.apiKeys.nameTaken(checked.name),
      owner ? feature.ownerProblem(owner) : Promise.resolve(undefined),
    ]);
    const filing = mayFile(asker, feature.policy, newKeyAsk(owner));
    if (!filing.allowed) {
      await ack(noticeAck(title, filingRefusalText(filing.refusal)));
      return;
    }
    const identity = filing.requester;
    const problem = owner
      ? namedOwnerProblem
      : await feature.ownerProblem(identity.vamsUserId, identity.roles);
    if (problem) {
      await ack(noticeAck(title, problem));
      return;
    }
    if (nameTaken) {
      await ack(
        fieldErrorsAck(
          { name: 'VAMS already has a key with this name; names are unique.' },
          API_KEY_IDS,
        ),
      );
      return;
    }
    await ack();
    const ownerUserId = owner || identity.vamsUserId;
    await submitRequest(
      feature,
      view,
      {
        kind: 'key.create',
        params: {
          apiKeyId: randomUUID(),
          ownerUserId,
          name: checked.name,
          description: checked.description,
          expiresAt: checked.expiresAt,
          deliverTo: identity.slackUserId,
        },
        reason: checked.reason,
        requester: { slackUserId: identity.slackUserId, vamsUserId: identity.vamsUserId },
        subject: ownerUserId,
        preflight: [
          {
            check: 'owner-role',
            ok: true,
            detail: `${ownerUserId} holds a VAMS role that works with API keys`,
          },
          { check: 'name-free', ok: true, detail: `No VAMS key is named "${checked.name}"` },
        ],
      },
      // The requester's roles, read as they were identified a moment ago.
      { at: readAt, roles: { [identity.vamsUserId]: identity.roles } },
    );
  });

  app.view(API_KEY_IDS.rotateCallbackId, async ({ ack, body, view }) => {
    const reason = textValue(parseViewState(view.state.values), API_KEY_IDS.reason).trim();
    if (!reason) {
      await ack(reasonErrorAck(REASON_REQUIRED));
      return;
    }
    const [identity, key] = await Promise.all([
      feature.identify(body.user.id, body.user.team_id ?? body.team?.id),
      feature.apiKeys.get(view.private_metadata),
    ]);
    if (!key?.active) {
      const gone = !key
        ? 'That API key no longer exists.'
        : `API key ${code(key.name)} is inactive now; ask for a new one with \`/vams key request\`.`;
      await ack(noticeAck(ROTATE_TITLE, gone));
      return;
    }
    const filing = mayFile(identity, feature.policy, keyAsk('key.rotate', key));
    if (!filing.allowed) {
      await ack(noticeAck(ROTATE_TITLE, filingRefusalText(filing.refusal)));
      return;
    }
    const problem = await feature.ownerProblem(key.userId);
    if (problem) {
      await ack(noticeAck(ROTATE_TITLE, problem));
      return;
    }
    // Nothing below can become a field error: the dialog closes first.
    await ack();
    const requester = {
      slackUserId: filing.requester.slackUserId,
      vamsUserId: filing.requester.vamsUserId,
    };
    let draft: RequestDraft;
    try {
      draft = await rotationDraft(feature, key, requester, reason);
    } catch (error) {
      await tellNotFiled(
        feature.dms,
        feature.logger,
        { kind: 'key.rotate', subject: key.userId, requester },
        error,
      );
      return;
    }
    await submitRequest(feature, view, draft);
  });

  app.view(API_KEY_IDS.updateCallbackId, async ({ ack, body, view }) => {
    const values = parseViewState(view.state.values);
    const checked = checkUpdateForm(
      {
        description: textValue(values, API_KEY_IDS.description),
        expires: textValue(values, API_KEY_IDS.expires),
        reason: textValue(values, API_KEY_IDS.reason),
      },
      feature.clock(),
      feature.limits,
    );
    if (!checked.ok) {
      await ack(fieldErrorsAck(checked.errors, API_KEY_IDS));
      return;
    }
    const who = { slackUserId: body.user.id, teamId: body.user.team_id ?? body.team?.id };
    const found = API_KEY_ID.test(view.private_metadata)
      ? await changeableKey(feature, who, view.private_metadata, 'key.update')
      : 'This dialog names no API key; run `/vams key update <apiKeyId>` again.';
    if (typeof found === 'string') {
      await ack(noticeAck(UPDATE_TITLE, found));
      return;
    }
    const { key, requester } = found;
    const current = zonedInstant(key.expiresAt);
    const wanted = new Date(checked.expiresAt);
    const sameExpiry = current?.getTime() === wanted.getTime();
    const sameDescription = checked.description === key.description;
    if (sameExpiry && sameDescription) {
      await ack(
        fieldErrorsAck(
          { expires: 'Nothing would change: pick another day or change the description.' },
          API_KEY_IDS,
        ),
      );
      return;
    }
    // A key that never expired is given an end: that only takes access away, like an earlier one.
    const later = current !== undefined && wanted.getTime() > current.getTime();
    if (later) {
      const problem = await feature.ownerProblem(key.userId);
      if (problem) {
        await ack(noticeAck(UPDATE_TITLE, problem));
        return;
      }
      await ack();
      await submitRequest(feature, view, {
        kind: 'key.update',
        params: {
          apiKeyId: key.apiKeyId,
          ownerUserId: key.userId,
          name: key.name,
          description: checked.description,
          expiresAt: checked.expiresAt,
          previousExpiresAt: key.expiresAt ?? '',
        },
        reason: checked.reason,
        requester: { slackUserId: requester.slackUserId, vamsUserId: requester.vamsUserId },
        subject: key.userId,
        preflight: [
          { check: 'key-active', ok: true, detail: `${key.name} (${key.apiKeyId}) is active` },
          {
            check: 'owner-role',
            ok: true,
            detail: `${key.userId} holds a VAMS role that works with API keys`,
          },
        ],
      });
      return;
    }
    const now = feature.clock();
    const change = [
      ...(sameExpiry ? [] : [`it now expires ${slackDate(checked.expiresAt)}`]),
      ...(sameDescription ? [] : ['its description changed']),
    ].join(' and ');
    if (
      !(await feature.apiKeys.updateDetails(
        key.apiKeyId,
        { description: checked.description, expiresAt: checked.expiresAt },
        now,
        // Judged against this expiry: changed meanwhile, the judgement does not hold.
        key.expiresAt ?? '',
      ))
    ) {
      await ack(
        noticeAck(
          UPDATE_TITLE,
          'That API key was deleted or changed while you edited it; nothing was changed. Run `/vams key update` again.',
        ),
      );
      return;
    }
    const own = sameVamsUser(requester.vamsUserId, key.userId);
    logAuthChangeBy(
      feature.logger,
      'apiKeyUpdate',
      { users: [requester.vamsUserId], roles: requester.roles },
      {
        apiKeyId: key.apiKeyId,
        userId: key.userId,
        expiresAt: checked.expiresAt,
        descriptionChanged: !sameDescription,
        updatedBy: requester.vamsUserId,
      },
    );
    await feature.audit({
      requestId: `key-${key.apiKeyId}`,
      at: now.toISOString(),
      type: own ? 'key-updated-by-owner' : 'key-updated-by-admin',
      actor: requester.vamsUserId,
      detail: {
        apiKeyId: key.apiKeyId,
        owner: key.userId,
        expiresAt: checked.expiresAt,
        reason: checked.reason,
        slackUserId: requester.slackUserId,
      },
    });
    await ack(
      noticeAck(
        UPDATE_TITLE,
        `Updated API key *${escapeMrkdwn(key.name)}*: ${change}. No approval was needed: this only narrows what the key can do${own ? '' : '; its owner is told by DM'}.`,
      ),
    );
    if (own) return;
    const ownerSlackUser = await feature.slackUserOf(key.userId).catch(() => undefined);
    if (!ownerSlackUser) return;
    await feature.dms
      .send(ownerSlackUser, updatedByAdminDm(key, requester.slackUserId, `${change}.`))
      .catch((error: unknown) =>
        feature.logger.warn(
          { err: error, apiKeyId: key.apiKeyId },
          'could not tell the owner of an updated key',
        ),
      );
  });

  app.view(API_KEY_IDS.reactivateCallbackId, async ({ ack, body, view }) => {
    const reason = textValue(parseViewState(view.state.values), API_KEY_IDS.reason).trim();
    if (!reason) {
      await ack(reasonErrorAck(REASON_REQUIRED));
      return;
    }
    const who = { slackUserId: body.user.id, teamId: body.user.team_id ?? body.team?.id };
    const found = API_KEY_ID.test(view.private_metadata)
      ? await reactivatableKey(feature, who, view.private_metadata)
      : 'This dialog names no API key; run `/vams key reactivate <apiKeyId>` again.';
    if (typeof found === 'string') {
      await ack(noticeAck(REACTIVATE_TITLE, found));
      return;
    }
    await ack();
    const { key, requester } = found;
    await submitRequest(feature, view, {
      kind: 'key.reactivate',
      params: { apiKeyId: key.apiKeyId, ownerUserId: key.userId, name: key.name },
      reason,
      requester: { slackUserId: requester.slackUserId, vamsUserId: requester.vamsUserId },
      subject: key.userId,
      preflight: [
        { check: 'key-inactive', ok: true, detail: `${key.name} (${key.apiKeyId}) is inactive` },
        {
          check: 'owner-role',
          ok: true,
          detail: `${key.userId} is enabled and holds a VAMS role that works with API keys`,
        },
      ],
    });
  });

  // Revoke and Delete on a key list, a confirmation or the Home tab: the command's own rules,
  // with the clicker's roles now.
  const clickOn = (
    actionId: string,
    act: (
      clicker: { slackUserId: string; teamId: string | undefined },
      apiKeyId: string,
    ) => Promise<string>,
  ) =>
    app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, body, action, respond }) => {
      await ack();
      const apiKeyId = action.value ?? '';
      const text = API_KEY_ID.test(apiKeyId)
        ? await act(
            { slackUserId: body.user.id, teamId: body.user.team_id ?? body.team?.id },
            apiKeyId,
          )
        : 'That button is out of date; list the keys again with `/vams key list`.';
      await answerClick(feature.homes, body, respond, sectionMessage(text), feature.logger);
    });
  clickOn(API_KEY_IDS.revokeButton, (clicker, apiKeyId) => revoke(feature, clicker, apiKeyId));
  clickOn(API_KEY_IDS.deleteButton, (clicker, apiKeyId) =>
    deleteKeyNow(feature, clicker, apiKeyId),
  );

  const nextPage = z.object({
    filter: z.union([z.enum(KEY_FILTERS), z.literal('')]),
    after: z.string().regex(API_KEY_ID),
  });
  app.action<BlockAction<ButtonAction>>(
    API_KEY_IDS.allNextButton,
    async ({ ack, body, action, respond }) => {
      await ack();
      let parsed: z.infer<typeof nextPage> | undefined;
      try {
        parsed = nextPage.parse(JSON.parse(action.value ?? ''));
      } catch {
        parsed = undefined;
      }
      const message = parsed
        ? await allKeys(
            feature,
            { slackUserId: body.user.id, teamId: body.user.team_id ?? body.team?.id },
            parsed.filter || undefined,
            parsed.after,
          )
        : sectionMessage('That button is out of date; run `/vams key list --all` again.');
      await respond({ response_type: 'ephemeral', replace_original: true, ...message }).catch(
        (error: unknown) => feature.logger.warn({ err: error }, 'could not show the next keys'),
      );
    },
  );

  app.action<BlockAction<ButtonAction>>(API_KEY_IDS.rotateButton, async ({ ack, body, action }) => {
    await ack();
    const apiKeyId = action.value ?? '';
    if (!API_KEY_ID.test(apiKeyId)) return;
    await openRotation(feature, {
      triggerId: body.trigger_id,
      slackUserId: body.user.id,
      teamId: body.user.team_id ?? body.team?.id,
      apiKeyId,
    });
  });
}
