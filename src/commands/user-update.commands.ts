import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { ModalView } from '@slack/types';
import { filingRefusal, mayFile } from '../auth/filing-policy';
import type { CognitoUserSummary } from '../domain/cognito-user';
import type { PreflightResult, UserUpdateParams } from '../domain/request';
import type { CognitoAdmin } from '../gateways/cognito-admin.gateway';
import type { CognitoUserDirectory } from '../gateways/cognito-users.gateway';
import { validateUserUpdate } from '../kinds/user-update/form';
import { initialValue, parseViewState, selectedValues, textValue } from '../slack/view-state';
import { VAMS_USER_ID } from '../vams/vams-format';
import { filingRefusalText } from '../views/filing-refusal.view';
import { code } from '../views/mrkdwn';
import {
  REMOVE_PHONE_VALUE,
  USER_UPDATE_IDS,
  USER_UPDATE_TITLE,
  userUpdateLoadingModal,
  userUpdateModal,
} from '../views/user-update.view';
import {
  EXTERNAL_IDP_TEXT,
  fieldErrorsAck,
  noticeAck,
  oneUserId,
  openThenCheck,
  type UserRequestFeature,
} from './dialogs';
import type { SubCommand } from './sub-command';
import { submitRequest, tellNotFiled } from './submit-request';

const USAGE = '/vams user update <userId>';
const ids = USER_UPDATE_IDS;

export interface UserUpdateFeature extends UserRequestFeature {
  /** For the pre-flight's search for other users with the new email. */
  directory: Pick<CognitoUserDirectory, 'usernamesWithEmail'> | undefined;
}

/** What the form shows once the requester and the user are known, or why it cannot. */
async function dialogFor(
  feature: UserUpdateFeature,
  cognito: CognitoAdmin,
  ask: { userId: string; slackUserId: string; teamId: string | undefined },
): Promise<ModalView | string> {
  const identity = await feature.identify(ask.slackUserId, ask.teamId);
  const refusal = filingRefusal(identity, feature.policy, {
    kind: 'user.update',
    userId: ask.userId,
  });
  if (refusal) return filingRefusalText(refusal);
  const user = await cognito.findUser(ask.userId);
  if (!user) return `There is no Cognito user ${code(ask.userId)}.`;
  return userUpdateModal({ userId: user.username, email: user.email, phone: user.phone });
}

/**
 * Opens the update form with a trigger (a slash command's or a button click's, both living 3 s):
 * a loading dialog first, then, once the requester is checked and the user read, the form filled
 * with the current values.
 */
export async function openUpdateDialog(
  feature: UserUpdateFeature,
  cognito: CognitoAdmin,
  ask: { userId: string; triggerId: string; slackUserId: string; teamId: string | undefined },
): Promise<void> {
  await openThenCheck(feature, ask.triggerId, userUpdateLoadingModal(ask.userId), () =>
    dialogFor(feature, cognito, ask),
  );
}

export function userUpdateCommand(feature: UserUpdateFeature): SubCommand {
  return {
    name: 'user update',
    audience: 'admins',
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
  directory: Pick<CognitoUserDirectory, 'usernamesWithEmail'>,
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
    const others = (await directory.usernamesWithEmail([params.email])).filter(
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
    const { cognito, directory } = feature;
    if (!cognito || !directory) {
      await ack(noticeAck(USER_UPDATE_TITLE, EXTERNAL_IDP_TEXT));
      return;
    }
    // Independent reads, at once: the dialog is answered within Slack's 3 s.
    const [identity, user] = await Promise.all([
      feature.identify(body.user.id, body.user.team_id ?? body.team?.id),
      cognito.findUser(userId),
    ]);
    const filing = mayFile(identity, feature.policy, { kind: 'user.update', userId });
    if (!filing.allowed) {
      await ack(noticeAck(USER_UPDATE_TITLE, filingRefusalText(filing.refusal)));
      return;
    }
    const { requester } = filing;
    if (!user) {
      await ack(noticeAck(USER_UPDATE_TITLE, `There is no Cognito user ${code(userId)} any more.`));
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
      await ack(fieldErrorsAck(checked.errors, ids));
      return;
    }
    // The pre-flight only informs approvers: the dialog closes first.
    await ack();
    const draft = {
      kind: 'user.update' as const,
      params: checked.params,
      reason: checked.reason,
      requester: { slackUserId: requester.slackUserId, vamsUserId: requester.vamsUserId },
      subject: user.username,
    };
    let results: PreflightResult[];
    try {
      results = await preflight(directory, user, checked.params);
    } catch (error) {
      await tellNotFiled(feature.dms, feature.logger, draft, error);
      return;
    }
    await submitRequest(feature, view, {
      ...draft,
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
