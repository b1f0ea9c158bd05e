import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { View } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import type { Identity } from '../auth/identity';
import { type RolePolicy, standingOf } from '../auth/roles';
import type { CognitoAdmin, CognitoUserSummary } from '../gateways/cognito-admin.gateway';
import type { AppLogger } from '../logging';
import type { DirectMessages } from '../slack/slack-notifier';
import { slackErrorCode } from '../slack/slack-people';
import { initialValue, parseViewState, selectedValues, textValue } from '../slack/view-state';
import { VAMS_USER_ID } from '../vams/vams-format';
import { code } from '../views/mrkdwn';
import { checkedView } from '../views/outgoing';
import { explainRefusal } from '../views/reasons';
import { noticeModal } from '../views/user-create.view';
import {
  REMOVE_PHONE_VALUE,
  USER_UPDATE_IDS,
  USER_UPDATE_TITLE,
  userUpdateLoadingModal,
  userUpdateModal,
} from '../views/user-update.view';
import type { PreflightResult, UserUpdateParams } from '../workflow/request';
import { type UserUpdateField, validateUserUpdate } from '../workflow/user-update-form';
import type { Workflow } from '../workflow/workflow';
import { EXTERNAL_IDP_TEXT, oneUserId } from './dialogs';
import type { Identify } from './identity.commands';
import type { SubCommand } from './sub-command';
import { submitRequest } from './submit-request';

const USAGE = '/vams user update <userId>';
const ids = USER_UPDATE_IDS;
const FIELDS: readonly UserUpdateField[] = ['email', 'phone', 'reason'];

export interface UserUpdateFeature {
  identify: Identify;
  workflow: Workflow;
  /** Undefined when users live in an external identity provider. */
  cognito: CognitoAdmin | undefined;
  policy: RolePolicy;
  views: WebClient;
  dms: DirectMessages;
  logger: AppLogger;
}

function requesterProblem(identity: Identity, policy: RolePolicy): string | undefined {
  if (!identity.mapped)
    return `You cannot make requests: ${explainRefusal(identity.reason, identity.email)}`;
  if (!standingOf(identity.roles, policy).isAdmin)
    return 'Only VAMS admins can change users’ details.';
  return undefined;
}

/** What the form shows once the requester and the user are known. */
async function dialogFor(
  feature: UserUpdateFeature,
  cognito: CognitoAdmin,
  ask: { userId: string; slackUserId: string; teamId: string | undefined },
): Promise<View> {
  const identity = await feature.identify(ask.slackUserId, ask.teamId);
  const problem = requesterProblem(identity, feature.policy);
  if (problem) return noticeModal(USER_UPDATE_TITLE, problem);
  const user = await cognito.findUser(ask.userId);
  if (!user) return noticeModal(USER_UPDATE_TITLE, `There is no Cognito user ${code(ask.userId)}.`);
  return userUpdateModal({ userId: user.username, email: user.email, phone: user.phone });
}

/**
 * Opens the update form with a trigger (a slash command's or a button click's, both living 3 s):
 * a loading modal first, then, once the requester is checked and the user read, the form filled
 * with the current values.
 */
export async function openUpdateDialog(
  feature: UserUpdateFeature,
  cognito: CognitoAdmin,
  ask: { userId: string; triggerId: string; slackUserId: string; teamId: string | undefined },
): Promise<void> {
  const opened = await feature.views.views.open({
    trigger_id: ask.triggerId,
    view: checkedView(userUpdateLoadingModal(ask.userId)),
  });
  const viewId = opened.view?.id;
  if (!viewId) return;
  let view: View;
  try {
    view = await dialogFor(feature, cognito, ask);
  } catch (error) {
    // Not left saying "Loading…" for ever; the caller reports the error itself.
    const text =
      'The user could not be read because of an internal error. Close this and try again.';
    await feature.views.views
      .update({ view_id: viewId, view: checkedView(noticeModal(USER_UPDATE_TITLE, text)) })
      .catch((updateError: unknown) =>
        feature.logger.warn({ err: updateError }, 'could not close the loading dialog'),
      );
    throw error;
  }
  try {
    // With the hash, Slack refuses to overwrite a modal that changed since it was opened.
    await feature.views.views.update({
      view_id: viewId,
      ...(opened.view?.hash ? { hash: opened.view.hash } : {}),
      view: checkedView(view),
    });
  } catch (error) {
    if (slackErrorCode(error) !== 'hash_conflict') throw error;
    feature.logger.info({ viewId }, 'the update dialog changed while loading; left as it is');
  }
}

export function userUpdateCommand(feature: UserUpdateFeature): SubCommand {
  return {
    name: 'user update',
    usage: USAGE,
    summary: 'change a user’s email or phone number; only what changes is sent (needs an approval)',
    run: async (invocation) => {
      const cognito = feature.cognito;
      const userId = await oneUserId(invocation, USAGE, cognito !== undefined);
      if (!userId || !cognito) return;
      await invocation.ack();
      await openUpdateDialog(feature, cognito, {
        userId,
        triggerId: invocation.triggerId,
        slackUserId: invocation.slackUserId,
        teamId: invocation.teamId,
      });
    },
  };
}

function shown(value: string | undefined): string {
  return value === undefined ? 'none' : value;
}

async function preflight(
  cognito: CognitoAdmin,
  user: CognitoUserSummary,
  params: UserUpdateParams,
): Promise<PreflightResult[]> {
  const results: PreflightResult[] = [
    {
      check: 'user-exists',
      ok: true,
      detail: `Cognito user ${user.username} exists (${user.status ?? 'unknown status'}, ${user.enabled ? 'enabled' : 'disabled'})`,
    },
    params.email !== undefined
      ? {
          check: 'email',
          ok: true,
          detail: `Email: ${shown(user.email)} → ${params.email} (marked verified)`,
        }
      : { check: 'email', ok: true, detail: `Email stays ${shown(user.email)}` },
  ];
  if (params.phone !== undefined) {
    results.push({
      check: 'phone',
      ok: true,
      detail: `Phone number: ${shown(user.phone)} → ${params.phone} (marked verified)`,
    });
  } else if (params.removePhone) {
    results.push({
      check: 'phone',
      ok: true,
      detail: `Phone number: ${shown(user.phone)} → removed`,
    });
  } else {
    results.push({ check: 'phone', ok: true, detail: `Phone number stays ${shown(user.phone)}` });
  }
  if (params.email !== undefined) {
    const others = (await cognito.usernamesWithEmail(params.email)).filter(
      (username) => username !== user.username,
    );
    // Two users with one email leave Slack people with that email matched to neither.
    results.push(
      others.length > 0
        ? {
            check: 'email-unique',
            ok: false,
            detail: `Other Cognito users already have ${params.email}: ${others.join(', ')}`,
          }
        : { check: 'email-unique', ok: true, detail: `No other Cognito user has ${params.email}` },
    );
  }
  return results;
}

export function registerUserUpdateFeature(app: App, feature: UserUpdateFeature): void {
  app.view(ids.callbackId, async ({ ack, body, view }) => {
    const userId = view.private_metadata;
    const values = parseViewState(view.state.values);
    const cognito = feature.cognito;
    if (!cognito) {
      await ack({
        response_action: 'update',
        view: checkedView(noticeModal(USER_UPDATE_TITLE, EXTERNAL_IDP_TEXT)),
      });
      return;
    }
    const identity = await feature.identify(body.user.id, body.user.team_id ?? body.team?.id);
    const problem = requesterProblem(identity, feature.policy);
    if (problem || !identity.mapped) {
      await ack({
        response_action: 'update',
        view: checkedView(noticeModal(USER_UPDATE_TITLE, problem ?? '')),
      });
      return;
    }
    const user = await cognito.findUser(userId);
    if (!user) {
      await ack({
        response_action: 'update',
        view: checkedView(
          noticeModal(USER_UPDATE_TITLE, `There is no Cognito user ${code(userId)} any more.`),
        ),
      });
      return;
    }
    const checked = validateUserUpdate(
      user.username,
      {
        email: textValue(values, ids.email),
        phone: textValue(values, ids.phone),
        removePhone: selectedValues(values, ids.removePhone).includes(REMOVE_PHONE_VALUE),
        reason: textValue(values, ids.reason),
      },
      user,
      { email: initialValue(view.blocks, ids.email), phone: initialValue(view.blocks, ids.phone) },
    );
    if (!checked.ok) {
      const errors = Object.fromEntries(
        FIELDS.flatMap((field) => {
          const message = checked.errors[field];
          return message ? [[ids[field].block, message]] : [];
        }),
      );
      await ack({ response_action: 'errors', errors });
      return;
    }
    const results = await preflight(cognito, user, checked.params);
    await ack();
    await submitRequest(feature.workflow, feature.dms, feature.logger, {
      kind: 'user.update',
      params: checked.params,
      reason: checked.reason,
      requester: { slackUserId: identity.slackUserId, vamsUserId: identity.vamsUserId },
      subject: user.username,
      preflight: results,
    });
  });

  app.action<BlockAction<ButtonAction>>(ids.showButton, async ({ ack, body, action }) => {
    await ack();
    const userId = action.value ?? '';
    if (!VAMS_USER_ID.test(userId) || !feature.cognito) return;
    // The click's trigger lives 3 s: the dialog opens before anything else is read.
    await openUpdateDialog(feature, feature.cognito, {
      userId,
      triggerId: body.trigger_id,
      slackUserId: body.user.id,
      teamId: body.user.team_id ?? body.team?.id,
    });
  });
}
