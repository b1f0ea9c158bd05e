import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { z } from 'zod';
import { type FilingAsk, filingRefusal, mayFile } from '../auth/filing-policy';
import type { MappedIdentity } from '../auth/identity';
import { durationLabel, type RoleHolding } from '../domain/grant';
import { type PreflightResult, REASON_REQUIRED } from '../domain/request';
import type { CognitoAdmin } from '../gateways/cognito-admin.gateway';
import { lastAdminRemovalProblem } from '../kinds/role-remove/steps';
import { parseViewState, selectedValues, textValue } from '../slack/view-state';
import type { VamsRoleCatalog } from '../stores/vams-roles.store';
import type { VamsUserRoleStore } from '../stores/vams-user-roles.store';
import { ROLE_NAME, VAMS_USER_ID } from '../vams/vams-format';
import { filingRefusalText } from '../views/filing-refusal.view';
import { usageErrorMessage } from '../views/help.view';
import type { MessageBody } from '../views/message';
import { code } from '../views/mrkdwn';
import { reasonModal } from '../views/reason.view';
import {
  allRolesMessage,
  PERMANENT,
  ROLE_IDS,
  roleGrantModal,
  userRolesMessage,
} from '../views/role.view';
import { noticeAck, openThenCheck, type RequestFeature } from './dialogs';
import { answerClick, type HomeTabs } from './home.commands';
import type { Invocation, SubCommand } from './sub-command';
import { submitRequest } from './submit-request';

/** The grant records the role commands read and release. */
export interface RoleGrants {
  holdingsOf(userId: string): Promise<RoleHolding[]>;
  grantHeld(row: { userId: string; roleName: string }): Promise<boolean>;
  release(
    userId: string,
    roleName: string,
    at: Date,
  ): Promise<{ ended: { grantId: string }[]; rowDeleted: boolean } | 'no-grant'>;
}

export interface RoleFeature extends RequestFeature {
  cognito: CognitoAdmin | undefined;
  roles: Pick<VamsRoleCatalog, 'missing' | 'all'>;
  userRoles: Pick<VamsUserRoleStore, 'rolesOf' | 'rowsWithRoles'>;
  grants: RoleGrants;
  /** Tells of grants that just ended (their threads, the grantee) without waiting for the sweep. */
  tellEnded(userId: string, roleName: string): Promise<void>;
  /** GRANT_DURATIONS and GRANT_MAX_MINUTES. */
  durations: readonly number[];
  maxMinutes: number;
  adminRoles: readonly string[];
  clock: () => Date;
  /** `Release now` on someone's Home tab is answered there. */
  homes?: HomeTabs;
}

const USAGE = {
  list: '/vams role list [userId]',
  assign: '/vams role assign <userId>',
  remove: '/vams role remove <userId> <role>',
  request: '/vams role request',
  release: '/vams role release <role>',
} as const;

const grantMetadata = z.object({
  mode: z.enum(['assign', 'request']),
  userId: z.string().optional(),
});
const removeMetadata = z.object({ userId: z.string(), roleName: z.string() });

const say = (text: string): MessageBody => ({
  text,
  blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }],
});

/** The minutes a person may pick in `Duration`: every option, or only those within the maximum. */
function offered(feature: RoleFeature, mode: 'assign' | 'request'): number[] {
  return mode === 'assign'
    ? [...feature.durations]
    : feature.durations.filter((minutes) => minutes <= feature.maxMinutes);
}

async function listRoles(feature: RoleFeature, invocation: Invocation): Promise<void> {
  const [userId, ...extra] = invocation.args;
  if (extra.length > 0 || (userId !== undefined && !VAMS_USER_ID.test(userId))) {
    await invocation.ack(usageErrorMessage('Name at most one VAMS user ID.', USAGE.list));
    return;
  }
  await invocation.ack();
  const identity = await feature.identify(invocation.slackUserId, invocation.teamId);
  const refusal = filingRefusal(identity, feature.policy, { kind: 'role.list', userId });
  if (refusal) {
    await invocation.reply(say(filingRefusalText(refusal)));
    return;
  }
  if (userId) {
    const [roles, holdings] = await Promise.all([
      feature.userRoles.rolesOf(userId),
      feature.grants.holdingsOf(userId),
    ]);
    const byRole = new Map(holdings.map((holding) => [holding.roleName, holding]));
    const held = [...roles].sort().map((roleName) => ({ roleName, holding: byRole.get(roleName) }));
    await invocation.reply(userRolesMessage(userId, held));
    return;
  }
  const catalog = await feature.roles.all();
  const rows = await feature.userRoles.rowsWithRoles(catalog.map((role) => role.roleName));
  const holders = new Map<string, number>();
  for (const row of rows) holders.set(row.roleName, (holders.get(row.roleName) ?? 0) + 1);
  await invocation.reply(
    allRolesMessage(
      catalog.map((role) => ({
        roleName: role.roleName,
        description: role.description,
        mfaRequired: role.mfaRequired === true,
        holders: holders.get(role.roleName) ?? 0,
      })),
    ),
  );
}

/** Opens the Roles / Duration / Reason dialog; who asks is checked once it is open. */
async function openGrantDialog(
  feature: RoleFeature,
  ask: {
    mode: 'assign' | 'request';
    userId: string | undefined;
    triggerId: string;
    slackUserId: string;
    teamId: string | undefined;
    roles?: readonly string[];
  },
): Promise<void> {
  const modal = roleGrantModal({
    mode: ask.mode,
    ...(ask.userId ? { userId: ask.userId } : {}),
    durations: offered(feature, ask.mode),
    ...(ask.roles ? { roles: ask.roles } : {}),
  });
  const filed: FilingAsk =
    ask.mode === 'assign' && ask.userId
      ? { kind: 'role.assign', userId: ask.userId }
      : { kind: 'role.request' };
  await openThenCheck(feature, ask.triggerId, modal, async () => {
    const identity = await feature.identify(ask.slackUserId, ask.teamId);
    const refusal = filingRefusal(identity, feature.policy, filed);
    if (refusal) return filingRefusalText(refusal);
    if (ask.mode === 'assign' && ask.userId && feature.cognito) {
      if (!(await feature.cognito.findUser(ask.userId))) {
        return `There is no Cognito user ${code(ask.userId)}. \`/vams user list\` finds people.`;
      }
    }
    return undefined;
  });
}

async function release(
  feature: RoleFeature,
  slackUserId: string,
  teamId: string | undefined,
  roleName: string,
): Promise<MessageBody> {
  const identity = await feature.identify(slackUserId, teamId);
  if (!identity.mapped) {
    const refusal = filingRefusal(identity, feature.policy, { kind: 'role.request' });
    return say(refusal ? filingRefusalText(refusal) : 'You are not a VAMS user.');
  }
  const released = await feature.grants.release(identity.vamsUserId, roleName, feature.clock());
  if (released === 'no-grant') {
    return say(
      `You have no running grant of ${code(roleName)}, so there is nothing to release. \`/vams role list ${identity.vamsUserId}\` shows your roles.`,
    );
  }
  await feature
    .tellEnded(identity.vamsUserId, roleName)
    .catch((error: unknown) =>
      feature.logger.warn(
        { err: error, roleName },
        'could not tell of a released grant yet; the sweep will',
      ),
    );
  const grants = released.ended.map((grant) => grant.grantId).join(', ');
  return say(
    released.rowDeleted
      ? `Released grant ${grants} of ${code(roleName)}: the role is gone from ${code(identity.vamsUserId)} (VAMS takes up to ~30 s to notice).`
      : `Released grant ${grants} of ${code(roleName)}; you keep the role, which you hold otherwise too.`,
  );
}

export function roleCommands(feature: RoleFeature): SubCommand[] {
  return [
    {
      name: 'role list',
      usage: USAGE.list,
      summary: 'roles of a user (permanent or until when), or every VAMS role with its holders',
      run: (invocation) => listRoles(feature, invocation),
    },
    {
      name: 'role assign',
      audience: 'admins',
      usage: USAGE.assign,
      summary: 'give a user VAMS roles, permanently or for a while (admins; needs an approval)',
      run: async (invocation) => {
        const [userId, ...extra] = invocation.args;
        if (!userId || extra.length > 0 || !VAMS_USER_ID.test(userId)) {
          await invocation.ack(usageErrorMessage('Name one VAMS user ID.', USAGE.assign));
          return;
        }
        await invocation.ack();
        await openGrantDialog(feature, {
          mode: 'assign',
          userId,
          triggerId: invocation.triggerId,
          slackUserId: invocation.slackUserId,
          teamId: invocation.teamId,
        });
      },
    },
    {
      name: 'role request',
      audience: 'mapped',
      usage: USAGE.request,
      summary: 'ask for VAMS roles for yourself, for a while (needs an admin’s approval)',
      run: async (invocation) => {
        if (invocation.args.length > 0) {
          await invocation.ack(
            usageErrorMessage('`role request` takes no arguments: the dialog asks.', USAGE.request),
          );
          return;
        }
        await invocation.ack();
        await openGrantDialog(feature, {
          mode: 'request',
          userId: undefined,
          triggerId: invocation.triggerId,
          slackUserId: invocation.slackUserId,
          teamId: invocation.teamId,
        });
      },
    },
    {
      name: 'role remove',
      audience: 'admins',
      usage: USAGE.remove,
      summary: 'remove one VAMS role from a user (admins; needs an approval)',
      run: async (invocation) => {
        const [userId, roleName, ...extra] = invocation.args;
        if (
          !userId ||
          !roleName ||
          extra.length > 0 ||
          !VAMS_USER_ID.test(userId) ||
          !ROLE_NAME.test(roleName)
        ) {
          await invocation.ack(
            usageErrorMessage('Name one VAMS user ID and one role.', USAGE.remove),
          );
          return;
        }
        await invocation.ack();
        const modal = reasonModal({
          callbackId: ROLE_IDS.removeCallbackId,
          title: 'Remove a role',
          submit: 'Request',
          what: `Remove VAMS role ${code(roleName)} from ${code(userId)}. A grant of it ends with it. An admin approves it in the approvals channel.`,
          metadata: JSON.stringify({ userId, roleName }),
        });
        await openThenCheck(feature, invocation.triggerId, modal, async () => {
          const [identity, roles] = await Promise.all([
            feature.identify(invocation.slackUserId, invocation.teamId),
            feature.userRoles.rolesOf(userId),
          ]);
          const refusal = filingRefusal(identity, feature.policy, { kind: 'role.remove', userId });
          if (refusal) return filingRefusalText(refusal);
          return removeProblem(feature, userId, roleName, roles);
        });
      },
    },
    {
      name: 'role release',
      audience: 'mapped',
      usage: USAGE.release,
      summary: 'give back a grant of yours now (no approval)',
      run: async (invocation) => {
        const [roleName, ...extra] = invocation.args;
        if (!roleName || extra.length > 0 || !ROLE_NAME.test(roleName)) {
          await invocation.ack(
            usageErrorMessage('Name one role you hold a grant of.', USAGE.release),
          );
          return;
        }
        await invocation.ack();
        await invocation.reply(
          await release(feature, invocation.slackUserId, invocation.teamId, roleName),
        );
      },
    },
  ];
}

async function removeProblem(
  feature: RoleFeature,
  userId: string,
  roleName: string,
  roles: readonly string[],
): Promise<string | undefined> {
  if (!roles.includes(roleName)) {
    return `${code(userId)} does not hold VAMS role ${code(roleName)}. \`/vams role list ${userId}\` shows their roles.`;
  }
  const lastAdmin = await lastAdminRemovalProblem(
    feature.userRoles,
    feature.adminRoles,
    userId,
    roleName,
    (row) => feature.grants.grantHeld(row),
  );
  return lastAdmin ? `Refused: ${lastAdmin}.` : undefined;
}

/** What the `Duration` field holds, or what to fix in it. */
function durationOf(
  feature: RoleFeature,
  mode: 'assign' | 'request',
  value: string,
): { minutes: number | undefined } | { error: string } {
  if (!value) return { error: 'Choose how long.' };
  if (value === PERMANENT) {
    return mode === 'assign'
      ? { minutes: undefined }
      : { error: 'Grants you ask for yourself end by themselves; choose a duration.' };
  }
  const minutes = Number(value);
  if (!offered(feature, mode).includes(minutes)) {
    return {
      error: `Choose one of the durations offered (at most ${durationLabel(feature.maxMinutes)} for yourself).`,
    };
  }
  return { minutes };
}

function heldPreflight(roles: readonly string[], held: readonly string[]): PreflightResult[] {
  const already = roles.filter((role) => held.includes(role));
  return [
    {
      check: 'roles-exist',
      ok: true,
      detail: `Roles exist in VAMS: ${roles.join(', ')}`,
    },
    already.length > 0
      ? {
          check: 'roles-held',
          ok: false,
          detail: `Already holds ${already.join(', ')}: a grant of it overlaps; a row held before the bot granted it stays when the grant ends`,
        }
      : { check: 'roles-held', ok: true, detail: 'Holds none of these roles yet' },
  ];
}

export function registerRoleFeature(app: App, feature: RoleFeature): void {
  app.view(ROLE_IDS.grantCallbackId, async ({ ack, body, view }) => {
    const { mode, userId: named } = grantMetadata.parse(JSON.parse(view.private_metadata));
    const values = parseViewState(view.state.values);
    const roles = [...new Set(selectedValues(values, ROLE_IDS.roles))];
    const duration = durationOf(feature, mode, textValue(values, ROLE_IDS.duration));
    const reason = textValue(values, ROLE_IDS.reason).trim();
    const errors: Record<string, string> = {};
    if (roles.length === 0) errors[ROLE_IDS.roles.block] = 'Choose at least one VAMS role.';
    if ('error' in duration) errors[ROLE_IDS.duration.block] = duration.error;
    if (!reason) errors[ROLE_IDS.reason.block] = REASON_REQUIRED;
    if (Object.keys(errors).length > 0 || 'error' in duration) {
      await ack({ response_action: 'errors', errors });
      return;
    }
    const title = mode === 'assign' ? 'Assign roles' : 'Request roles';
    if (mode === 'assign' && !named) {
      await ack(
        noticeAck(title, 'This dialog names nobody; run `/vams role assign <userId>` again.'),
      );
      return;
    }
    const ask: FilingAsk =
      mode === 'assign' && named
        ? { kind: 'role.assign', userId: named }
        : { kind: 'role.request' };
    // Field errors need the roles table, so it is read before the ack, with the asker.
    const [identity, missing] = await Promise.all([
      feature.identify(body.user.id, body.user.team_id ?? body.team?.id),
      feature.roles.missing(roles),
    ]);
    const filing = mayFile(identity, feature.policy, ask);
    if (!filing.allowed) {
      await ack(noticeAck(title, filingRefusalText(filing.refusal)));
      return;
    }
    if (missing.length > 0) {
      await ack({
        response_action: 'errors',
        errors: { [ROLE_IDS.roles.block]: `Not in the VAMS roles table: ${missing.join(', ')}.` },
      });
      return;
    }
    const requester: MappedIdentity = filing.requester;
    const userId = mode === 'assign' && named ? named : requester.vamsUserId;
    await ack();
    const held = await feature.userRoles.rolesOf(userId).catch(() => []);
    const filed = {
      reason,
      requester: { slackUserId: requester.slackUserId, vamsUserId: requester.vamsUserId },
      subject: userId,
      preflight: heldPreflight(roles, held),
    };
    const { minutes } = duration;
    if (mode === 'assign') {
      await submitRequest(feature, view, {
        ...filed,
        kind: 'role.assign',
        params: { userId, roles, ...(minutes ? { minutes } : {}) },
      });
    } else if (minutes) {
      await submitRequest(feature, view, {
        ...filed,
        kind: 'role.request',
        params: { userId, roles, minutes },
      });
    }
  });

  app.view(ROLE_IDS.removeCallbackId, async ({ ack, body, view }) => {
    const { userId, roleName } = removeMetadata.parse(JSON.parse(view.private_metadata));
    const reason = textValue(parseViewState(view.state.values), ROLE_IDS.reason).trim();
    if (!reason) {
      await ack({
        response_action: 'errors',
        errors: { [ROLE_IDS.reason.block]: REASON_REQUIRED },
      });
      return;
    }
    const [identity, roles] = await Promise.all([
      feature.identify(body.user.id, body.user.team_id ?? body.team?.id),
      feature.userRoles.rolesOf(userId),
    ]);
    const filing = mayFile(identity, feature.policy, { kind: 'role.remove', userId });
    if (!filing.allowed) {
      await ack(noticeAck('Remove a role', filingRefusalText(filing.refusal)));
      return;
    }
    const problem = await removeProblem(feature, userId, roleName, roles);
    if (problem) {
      await ack(noticeAck('Remove a role', problem));
      return;
    }
    await ack();
    const { requester } = filing;
    await submitRequest(feature, view, {
      kind: 'role.remove',
      params: { userId, roleName },
      reason,
      requester: { slackUserId: requester.slackUserId, vamsUserId: requester.vamsUserId },
      subject: userId,
      preflight: [{ check: 'role-held', ok: true, detail: `${userId} holds ${roleName}` }],
    });
  });

  // The grantee's reminder: the clicker's own grants of the role are what the buttons act on.
  app.action<BlockAction<ButtonAction>>(
    ROLE_IDS.releaseButton,
    async ({ ack, body, action, respond }) => {
      await ack();
      const reply = await release(
        feature,
        body.user.id,
        body.user.team_id ?? body.team?.id,
        action.value ?? '',
      );
      await answerClick(feature.homes, body, respond, reply, feature.logger);
    },
  );

  app.action<BlockAction<ButtonAction>>(ROLE_IDS.extendButton, async ({ ack, body, action }) => {
    await ack();
    const roleName = action.value ?? '';
    await openGrantDialog(feature, {
      mode: 'request',
      userId: undefined,
      triggerId: body.trigger_id,
      slackUserId: body.user.id,
      teamId: body.user.team_id ?? body.team?.id,
      ...(ROLE_NAME.test(roleName) ? { roles: [roleName] } : {}),
    });
  });
}
