import { randomUUID } from 'node:crypto';
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { ModalView } from '@slack/types';
import { type Identity, sameVamsUser } from '../auth/identity';
import { type RolePolicy, standingOf } from '../auth/roles';
import type { ApiKeyMetadata } from '../domain/api-key';
import type { AuditEvent } from '../domain/audit';
import { type Person, REASON_REQUIRED } from '../domain/request';
import { checkKeyForm, daysAhead, type KeyLimits, rotatedName } from '../kinds/api-key/key-rules';
import { parseViewState, textValue } from '../slack/view-state';
import type { VamsApiKeyStore } from '../stores/vams-api-keys.store';
import { apiKeyExpiry, endOfDayUtc } from '../vams/api-key-format';
import { VAMS_USER_ID } from '../vams/vams-format';
import {
  API_KEY_IDS,
  apiKeyListMessage,
  apiKeyModal,
  revokedByAdminDm,
  revokedReply,
  rotateModal,
} from '../views/api-key.view';
import { usageErrorMessage } from '../views/help.view';
import { sectionMessage } from '../views/message';
import { code } from '../views/mrkdwn';
import { explainRefusal } from '../views/reasons';
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
import type { Invocation, SubCommand } from './sub-command';
import { submitRequest, tellNotFiled } from './submit-request';

export interface ApiKeyFeature extends RequestFeature {
  apiKeys: VamsApiKeyStore;
  ownerProblem(ownerUserId: string): Promise<string | undefined>;
  /** The Slack user of a VAMS user, when one can be found (to tell an owner of a revocation). */
  slackUserOf(vamsUserId: string): Promise<string | undefined>;
  /** Why this Slack person may not receive a key of this VAMS user; undefined if they may. */
  recipientProblem(slackUserId: string, vamsUserId: string): Promise<string | undefined>;
  audit(event: AuditEvent): Promise<void>;
  limits: KeyLimits;
  clock: () => Date;
}

const USAGE = {
  request: '/vams key request',
  create: '/vams key create <userId>',
  list: '/vams key list [userId]',
  revoke: '/vams key revoke <apiKeyId>',
  rotate: '/vams key rotate <apiKeyId>',
} as const;

const API_KEY_ID = /^[0-9a-fA-F-]{8,64}$/;
const ROTATE_TITLE = 'Rotate an API key';

function notMapped(identity: Identity & { mapped: false }, what: string): string {
  return `You cannot ${what}: ${explainRefusal(identity.reason, identity.email)}`;
}

/** Owners act on their own keys; admins on anyone's. */
function keyAccessProblem(
  identity: Identity,
  policy: RolePolicy,
  key: ApiKeyMetadata,
  verb: string,
): string | undefined {
  if (!identity.mapped) return notMapped(identity, `${verb} API keys`);
  if (sameVamsUser(identity.vamsUserId, key.userId) || standingOf(identity.roles, policy).isAdmin)
    return undefined;
  return `API key ${code(key.apiKeyId)} is not yours; you can ${verb} your own keys only (admins can ${verb} anyone's).`;
}

function oneKeyId(invocation: Invocation): string | undefined {
  const [apiKeyId, ...extra] = invocation.args;
  return apiKeyId && extra.length === 0 && API_KEY_ID.test(apiKeyId) ? apiKeyId : undefined;
}

/** Who asks for a key for `owner` ('' for themselves), and may they. */
async function requesterProblem(
  feature: ApiKeyFeature,
  identity: Identity,
  owner: string,
): Promise<string | undefined> {
  if (!identity.mapped) return notMapped(identity, 'request API keys');
  if (owner && !standingOf(identity.roles, feature.policy).isAdmin)
    return 'Only VAMS admins can create keys for other users; use `/vams key request` for your own.';
  return feature.ownerProblem(owner || identity.vamsUserId);
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
    if ((await feature.apiKeys.idsNamed(name)).length === 0) return name;
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
  const problem =
    keyAccessProblem(identity, feature.policy, key, 'rotate') ??
    (await feature.ownerProblem(key.userId));
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
    usage: USAGE.request,
    summary: 'a VAMS API key of your own, delivered by DM (needs an approval)',
    run: async (invocation) => {
      if (invocation.args.length > 0) {
        await invocation.ack(usageErrorMessage('This takes no arguments.', USAGE.request));
        return;
      }
      await invocation.ack();
      await openThenCheck(feature, invocation.triggerId, keyDialog(feature, ''), async () =>
        requesterProblem(
          feature,
          await feature.identify(invocation.slackUserId, invocation.teamId),
          '',
        ),
      );
    },
  };

  const createKey: SubCommand = {
    name: 'key create',
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
        requesterProblem(
          feature,
          await feature.identify(invocation.slackUserId, invocation.teamId),
          owner,
        ),
      );
    },
  };

  const listKeys: SubCommand = {
    name: 'key list',
    usage: USAGE.list,
    summary: 'your API keys (admins: anyone’s): metadata only',
    run: async (invocation) => {
      const [wanted, ...extra] = invocation.args;
      if (extra.length > 0 || (wanted !== undefined && !VAMS_USER_ID.test(wanted))) {
        await invocation.ack(usageErrorMessage('Name at most one VAMS user ID.', USAGE.list));
        return;
      }
      await invocation.ack();
      const identity = await feature.identify(invocation.slackUserId, invocation.teamId);
      if (!identity.mapped) {
        await invocation.reply(sectionMessage(notMapped(identity, 'list API keys')));
        return;
      }
      const owner = wanted ?? identity.vamsUserId;
      if (
        !sameVamsUser(owner, identity.vamsUserId) &&
        !standingOf(identity.roles, feature.policy).isAdmin
      ) {
        await invocation.reply(
          sectionMessage('You can list your own keys only; admins can list anyone’s.'),
        );
        return;
      }
      const keys = await feature.apiKeys.keysOf(owner);
      await invocation.reply(apiKeyListMessage(owner, keys, feature.clock()));
    },
  };

  const revokeKey: SubCommand = {
    name: 'key revoke',
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

  return [requestKey, createKey, listKeys, revokeKey, rotateKey];
}

/** No approval: a revocation only takes access away. An admin's on another's key is audited. */
async function revoke(
  feature: ApiKeyFeature,
  invocation: Invocation,
  apiKeyId: string,
): Promise<string> {
  const [identity, key] = await Promise.all([
    feature.identify(invocation.slackUserId, invocation.teamId),
    feature.apiKeys.get(apiKeyId),
  ]);
  if (!key) return `There is no API key ${code(apiKeyId)}.`;
  const problem = keyAccessProblem(identity, feature.policy, key, 'revoke');
  if (problem || !identity.mapped) return problem ?? '';
  const now = feature.clock();
  const outcome = await feature.apiKeys.deactivate(key.apiKeyId, now);
  if (outcome === 'already inactive') return revokedReply(key, outcome);
  const own = sameVamsUser(identity.vamsUserId, key.userId);
  logAuthChangeBy(
    feature.logger,
    'apiKeyUpdate',
    { users: [identity.vamsUserId], roles: identity.roles },
    { apiKeyId: key.apiKeyId, userId: key.userId, isActive: false, revokedBy: identity.vamsUserId },
  );
  await feature.audit({
    requestId: `key-${key.apiKeyId}`,
    at: now.toISOString(),
    type: own ? 'key-revoked-by-owner' : 'key-revoked-by-admin',
    actor: identity.vamsUserId,
    detail: { apiKeyId: key.apiKeyId, owner: key.userId, slackUserId: identity.slackUserId },
  });
  if (own) return revokedReply(key, outcome);
  const ownerSlackUser = await feature.slackUserOf(key.userId).catch(() => undefined);
  if (!ownerSlackUser)
    return `${revokedReply(key, outcome)} ${code(key.userId)} could not be found in Slack, so nobody was told.`;
  try {
    await feature.dms.send(ownerSlackUser, revokedByAdminDm(key, identity.slackUserId));
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
    const identity = await feature.identify(body.user.id, body.user.team_id ?? body.team?.id);
    const [problem, sameName] = await Promise.all([
      requesterProblem(feature, identity, owner),
      feature.apiKeys.idsNamed(checked.name),
    ]);
    if (problem || !identity.mapped) {
      await ack(noticeAck(title, problem ?? ''));
      return;
    }
    if (sameName.length > 0) {
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
    await submitRequest(feature, view, {
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
    });
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
    const problem = !key
      ? 'That API key no longer exists.'
      : !key.active
        ? `API key ${code(key.name)} is inactive now; ask for a new one with \`/vams key request\`.`
        : (keyAccessProblem(identity, feature.policy, key, 'rotate') ??
          (await feature.ownerProblem(key.userId)));
    if (problem || !key || !identity.mapped) {
      await ack(noticeAck(ROTATE_TITLE, problem ?? ''));
      return;
    }
    // Nothing below can become a field error: the dialog closes first.
    await ack();
    const requester = { slackUserId: identity.slackUserId, vamsUserId: identity.vamsUserId };
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
