import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { filingRefusal, mayFile } from '../auth/filing-policy';
import { REASON_REQUIRED } from '../domain/request';
import { parseViewState, textValue } from '../slack/view-state';
import { VAMS_USER_ID } from '../vams/vams-format';
import { filingRefusalText } from '../views/filing-refusal.view';
import { code } from '../views/mrkdwn';
import { REASON_IDS, reasonModal } from '../views/reason.view';
import { USER_SHOW_IDS } from '../views/user-show.view';
import {
  noticeAck,
  oneUserId,
  openThenCheck,
  reasonErrorAck,
  type UserRequestFeature,
} from './dialogs';
import type { SubCommand } from './sub-command';
import { submitRequest } from './submit-request';

export const RESET_PASSWORD_CALLBACK_ID = 'user-reset-password';
const TITLE = 'Reset a password';
const USAGE = '/vams user reset-password <userId>';

export type PasswordFeature = UserRequestFeature;

export function resetPasswordCommand(feature: PasswordFeature): SubCommand {
  return {
    name: 'user reset-password',
    audience: 'mapped',
    usage: USAGE,
    summary:
      'new temporary password, sessions signed out, roles kept (needs an approval; yours or, for admins, anyone’s)',
    run: async (invocation) => {
      const userId = await oneUserId(invocation, USAGE, feature.cognito !== undefined);
      if (!userId) return;
      await invocation.ack();
      await openResetDialog(feature, { ...invocation, userId });
    },
  };
}

/** The reset dialog for `userId`, then whether this person may ask for it. */
async function openResetDialog(
  feature: PasswordFeature,
  ask: { triggerId: string; slackUserId: string; teamId: string | undefined; userId: string },
): Promise<void> {
  const { userId } = ask;
  const dialog = reasonModal({
    callbackId: RESET_PASSWORD_CALLBACK_ID,
    title: TITLE,
    submit: 'Request',
    what: `Reset the password of ${code(userId)}: the current password stops working, every session is signed out, and a new temporary password is delivered. Roles, MFA and enabled state stay as they are. An admin approves it in the approvals channel.`,
    metadata: userId,
  });
  await openThenCheck(feature, ask.triggerId, dialog, async () => {
    const identity = await feature.identify(ask.slackUserId, ask.teamId);
    const refusal = filingRefusal(identity, feature.policy, {
      kind: 'user.reset-password',
      userId,
    });
    return refusal && filingRefusalText(refusal);
  });
}

export function registerPasswordFeature(app: App, feature: PasswordFeature): void {
  // `Reset password` on `/vams user show`: the command's own dialog and rules.
  app.action<BlockAction<ButtonAction>>(
    USER_SHOW_IDS.resetPassword,
    async ({ ack, body, action }) => {
      await ack();
      const userId = action.value ?? '';
      if (!VAMS_USER_ID.test(userId) || !feature.cognito) return;
      await openResetDialog(feature, {
        triggerId: body.trigger_id,
        slackUserId: body.user.id,
        teamId: body.user.team_id ?? body.team?.id,
        userId,
      });
    },
  );

  app.view(RESET_PASSWORD_CALLBACK_ID, async ({ ack, body, view }) => {
    const userId = view.private_metadata;
    const reason = textValue(parseViewState(view.state.values), REASON_IDS.reason).trim();
    const fieldError = (message: string) => ack(reasonErrorAck(message));
    if (!reason) {
      await fieldError(REASON_REQUIRED);
      return;
    }
    // Independent reads, at once: the dialog is answered within Slack's 3 s.
    const [identity, user] = await Promise.all([
      feature.identify(body.user.id, body.user.team_id ?? body.team?.id),
      feature.cognito?.findUser(userId),
    ]);
    const filing = mayFile(identity, feature.policy, { kind: 'user.reset-password', userId });
    if (!filing.allowed) {
      await ack(noticeAck(TITLE, filingRefusalText(filing.refusal)));
      return;
    }
    const { requester } = filing;
    if (!user) {
      await fieldError(`There is no Cognito user ${userId}.`);
      return;
    }
    await ack();
    await submitRequest(feature, view, {
      kind: 'user.reset-password',
      params: { userId },
      reason,
      requester: { slackUserId: requester.slackUserId, vamsUserId: requester.vamsUserId },
      subject: userId,
      preflight: [
        {
          check: 'user-exists',
          ok: true,
          detail: `Cognito user ${userId} exists (${user.status ?? 'unknown status'}, ${user.enabled ? 'enabled' : 'disabled'})`,
        },
      ],
    });
  });
}
