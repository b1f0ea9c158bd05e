import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { KnownBlock, ModalView } from '@slack/types';
import { filingRefusal, mayFile } from '../auth/filing-policy';
import { MAX_OFFBOARD_USERS, type PreflightResult, REASON_REQUIRED } from '../domain/request';
import { lastAdminProblem } from '../kinds/offboarding/steps';
import { parseViewState, textValue } from '../slack/view-state';
import type { DraftStore } from '../stores/draft.store';
import type { VamsApiKeyStore } from '../stores/vams-api-keys.store';
import type { VamsUserRoleStore } from '../stores/vams-user-roles.store';
import { VAMS_USER_ID } from '../vams/vams-format';
import { filingRefusalText } from '../views/filing-refusal.view';
import { listWithin } from '../views/fit';
import { usageErrorMessage } from '../views/help.view';
import { code } from '../views/mrkdwn';
import { REASON_IDS } from '../views/reason.view';
import { USER_SHOW_IDS } from '../views/user-show.view';
import {
  fieldErrorsAck,
  noticeAck,
  openThenCheck,
  reasonErrorAck,
  type UserRequestFeature,
} from './dialogs';
import type { SubCommand } from './sub-command';
import { submitRequest } from './submit-request';

export const OFFBOARD_IDS = {
  callbackId: 'user-offboard',
  action: { block: 'action', action: 'value' },
  reason: REASON_IDS.reason,
} as const;

const USAGE = '/vams user offboard <userId> [<userId> …]';
const TITLE = 'Offboard';

export interface OffboardFeature extends UserRequestFeature {
  userRoles: VamsUserRoleStore;
  apiKeys: VamsApiKeyStore;
  drafts: DraftStore;
}

function offboardModal(
  draftId: string,
  userIds: readonly string[],
  withCognito: boolean,
): ModalView {
  const who = listWithin(userIds.map(code), ', ', 2500);
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `Offboard ${who}: remove every VAMS role, deactivate every API key${withCognito ? ', sign out everywhere, then delete or disable the Cognito user' : ' (users live in the identity provider)'}. Admins approve it in the approvals channel.`,
      },
    },
  ];
  if (withCognito) {
    const option = (value: 'delete' | 'disable', text: string) => ({
      text: { type: 'plain_text' as const, text },
      value,
    });
    blocks.push({
      type: 'input',
      block_id: OFFBOARD_IDS.action.block,
      label: { type: 'plain_text', text: 'Action' },
      element: {
        type: 'radio_buttons',
        action_id: OFFBOARD_IDS.action.action,
        options: [
          option('disable', 'Disable the Cognito user'),
          option('delete', 'Delete the Cognito user'),
        ],
      },
    });
  }
  blocks.push({
    type: 'input',
    block_id: OFFBOARD_IDS.reason.block,
    label: { type: 'plain_text', text: 'Reason' },
    element: {
      type: 'plain_text_input',
      action_id: OFFBOARD_IDS.reason.action,
      multiline: true,
      max_length: OFFBOARD_IDS.reason.maxLength,
    },
  });
  return {
    type: 'modal',
    callback_id: OFFBOARD_IDS.callbackId,
    private_metadata: draftId,
    title: { type: 'plain_text', text: TITLE },
    submit: { type: 'plain_text', text: 'Request' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks,
  };
}

/** Runs `work` over `items` with at most `limit` at a time (Cognito and DynamoDB quotas). */
async function inBatches<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = [];
  for (let start = 0; start < items.length; start += limit) {
    results.push(...(await Promise.all(items.slice(start, start + limit).map(work))));
  }
  return results;
}

async function preflight(feature: OffboardFeature, userIds: readonly string[]) {
  const found = await inBatches(userIds, 10, async (userId) => {
    const [roles, keys, cognitoUser] = await Promise.all([
      feature.userRoles.rolesOf(userId),
      feature.apiKeys.keysOf(userId),
      feature.cognito?.findUser(userId),
    ]);
    return {
      userId,
      roles: roles.length,
      activeKeys: keys.filter((key) => key.active).length,
      inCognito: !!cognitoUser,
    };
  });
  const unknown = found.filter(
    (user) => user.roles === 0 && user.activeKeys === 0 && !user.inCognito,
  );
  const results: PreflightResult[] = [
    {
      check: 'users-known',
      ok: unknown.length === 0,
      detail: `${found.length - unknown.length} of ${found.length} known to VAMS; ${found.reduce((sum, user) => sum + user.roles, 0)} role rows and ${found.reduce((sum, user) => sum + user.activeKeys, 0)} active API keys to remove`,
    },
    { check: 'admin-remains', ok: true, detail: 'An admin remains afterwards' },
  ];
  return { unknown: unknown.map((user) => user.userId), results };
}

export function offboardCommand(feature: OffboardFeature): SubCommand {
  return {
    name: 'user offboard',
    audience: 'admins',
    usage: USAGE,
    summary: `remove roles and keys, sign out, then delete or disable; up to ${MAX_OFFBOARD_USERS} people at once (needs approval)`,
    run: async (invocation) => {
      const userIds = [...new Set(invocation.args)];
      const invalid = userIds.filter((userId) => !VAMS_USER_ID.test(userId));
      if (userIds.length === 0 || invalid.length > 0 || userIds.length > MAX_OFFBOARD_USERS) {
        const problem =
          userIds.length > MAX_OFFBOARD_USERS
            ? `At most ${MAX_OFFBOARD_USERS} people per request (you named ${userIds.length}).`
            : invalid.length > 0
              ? `Not VAMS user IDs: ${invalid.map(code).join(', ')}.`
              : 'Name at least one VAMS user ID.';
        await invocation.ack(usageErrorMessage(problem, USAGE));
        return;
      }
      await invocation.ack();
      await openOffboardDialog(feature, { ...invocation, userIds });
    },
  };
}

/** The offboarding dialog for these people, then whether this person may ask for it. */
async function openOffboardDialog(
  feature: OffboardFeature,
  ask: { triggerId: string; slackUserId: string; teamId: string | undefined; userIds: string[] },
): Promise<void> {
  const { userIds } = ask;
  // The trigger is spent on opening the dialog; the draft is written alongside, not before.
  const draftId = feature.drafts.newId();
  const saving = feature.drafts.save(draftId, { owner: ask.slackUserId, userIds });
  saving.catch(() => undefined); // awaited below; this only keeps a failed open from leaving it unhandled
  const dialog = offboardModal(draftId, userIds, feature.cognito !== undefined);
  await openThenCheck(feature, ask.triggerId, dialog, async () => {
    const [identity] = await Promise.all([feature.identify(ask.slackUserId, ask.teamId), saving]);
    const refusal = filingRefusal(identity, feature.policy, { kind: 'user.offboard', userIds });
    return refusal && filingRefusalText(refusal);
  });
}

export function registerOffboardFeature(app: App, feature: OffboardFeature): void {
  // `Offboard` on `/vams user show`: the command's own dialog and rules.
  app.action<BlockAction<ButtonAction>>(USER_SHOW_IDS.offboard, async ({ ack, body, action }) => {
    await ack();
    const userId = action.value ?? '';
    if (!VAMS_USER_ID.test(userId)) return;
    await openOffboardDialog(feature, {
      triggerId: body.trigger_id,
      slackUserId: body.user.id,
      teamId: body.user.team_id ?? body.team?.id,
      userIds: [userId],
    });
  });
  app.view(OFFBOARD_IDS.callbackId, async ({ ack, body, view }) => {
    const values = parseViewState(view.state.values);
    const reason = textValue(values, OFFBOARD_IDS.reason).trim();
    const action = feature.cognito ? textValue(values, OFFBOARD_IDS.action) : 'disable';
    const chosen = action === 'delete' || action === 'disable' ? action : undefined;
    if (!reason || !chosen) {
      await ack(
        fieldErrorsAck(
          {
            reason: reason ? undefined : REASON_REQUIRED,
            action: chosen ? undefined : 'Choose delete or disable.',
          },
          OFFBOARD_IDS,
        ),
      );
      return;
    }
    const [draft, identity] = await Promise.all([
      feature.drafts.find(view.private_metadata, body.user.id),
      feature.identify(body.user.id, body.user.team_id ?? body.team?.id),
    ]);
    if (!draft) {
      await ack(noticeAck(TITLE, 'This dialog has expired; run the command again.'));
      return;
    }
    const filing = mayFile(identity, feature.policy, {
      kind: 'user.offboard',
      userIds: draft.userIds,
    });
    if (!filing.allowed) {
      await ack(noticeAck(TITLE, filingRefusalText(filing.refusal)));
      return;
    }
    const { requester } = filing;
    const [checks, lastAdmin] = await Promise.all([
      preflight(feature, draft.userIds),
      lastAdminProblem(
        { userRoles: feature.userRoles, adminRoles: feature.policy.adminRoles },
        draft.userIds,
      ),
    ]);
    const blocking = lastAdmin
      ? `Refused: ${lastAdmin}.`
      : checks.unknown.length > 0
        ? `Not VAMS users (no Cognito user, role or key): ${checks.unknown.join(', ')}.`
        : undefined;
    if (blocking) {
      await ack(reasonErrorAck(blocking));
      return;
    }
    await ack();
    await feature.drafts.discard(view.private_metadata);
    const { userIds } = draft;
    await submitRequest(feature, view, {
      kind: 'user.offboard',
      params: { userIds, action: chosen },
      reason,
      requester: { slackUserId: requester.slackUserId, vamsUserId: requester.vamsUserId },
      subject: userIds.length === 1 ? (userIds[0] ?? '') : `${userIds.length} users`,
      preflight: checks.results,
    });
  });
}
