import type { App } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Identity } from '../auth/identity';
import { type RolePolicy, standingOf } from '../auth/roles';
import type { CognitoAdmin } from '../gateways/cognito-admin.gateway';
import type { AppLogger } from '../logging';
import type { DirectMessages } from '../slack/slack-notifier';
import { parseViewState, textValue } from '../slack/view-state';
import { code } from '../views/mrkdwn';
import { checkedView } from '../views/outgoing';
import { REASON_IDS, reasonModal } from '../views/reason.view';
import { explainRefusal } from '../views/reasons';
import { noticeModal } from '../views/user-create.view';
import type { Workflow } from '../workflow/workflow';
import { oneUserId, openThenCheck } from './dialogs';
import type { Identify } from './identity.commands';
import type { SubCommand } from './sub-command';
import { submitRequest } from './submit-request';

export const RESET_PASSWORD_CALLBACK_ID = 'user-reset-password';
const TITLE = 'Reset a password';
const USAGE = '/vams user reset-password <userId>';

export interface PasswordFeature {
  identify: Identify;
  workflow: Workflow;
  cognito: CognitoAdmin | undefined;
  policy: RolePolicy;
  views: WebClient;
  dms: DirectMessages;
  logger: AppLogger;
}

/** Admins may ask for anyone; everyone else only for themselves. */
function requesterProblem(
  identity: Identity,
  policy: RolePolicy,
  userId: string,
): string | undefined {
  if (!identity.mapped)
    return `You cannot make requests: ${explainRefusal(identity.reason, identity.email)}`;
  const own = identity.vamsUserId.toLowerCase() === userId.toLowerCase();
  if (!own && !standingOf(identity.roles, policy).isAdmin) {
    return `You can ask for a reset of your own password (${code(identity.vamsUserId)}) only; admins can ask for anyone's.`;
  }
  return undefined;
}

export function resetPasswordCommand(feature: PasswordFeature): SubCommand {
  return {
    name: 'user reset-password',
    usage: USAGE,
    summary:
      'new temporary password, sessions signed out, roles kept (needs an approval; yours or, for admins, anyone’s)',
    run: async (invocation) => {
      const userId = await oneUserId(invocation, USAGE, feature.cognito !== undefined);
      if (!userId) return;
      await invocation.ack();
      const dialog = reasonModal({
        callbackId: RESET_PASSWORD_CALLBACK_ID,
        title: TITLE,
        submit: 'Request',
        what: `Reset the password of ${code(userId)}: the current password stops working, every session is signed out, and a new temporary password is delivered. Roles, MFA and enabled state stay as they are. An admin approves it in the approvals channel.`,
        metadata: userId,
      });
      await openThenCheck(feature.views, invocation.triggerId, dialog, async () =>
        requesterProblem(
          await feature.identify(invocation.slackUserId, invocation.teamId),
          feature.policy,
          userId,
        ),
      );
    },
  };
}

export function registerPasswordFeature(app: App, feature: PasswordFeature): void {
  app.view(RESET_PASSWORD_CALLBACK_ID, async ({ ack, body, view }) => {
    const userId = view.private_metadata;
    const reason = textValue(parseViewState(view.state.values), REASON_IDS.reason).trim();
    const fieldError = (message: string) =>
      ack({ response_action: 'errors', errors: { [REASON_IDS.reason.block]: message } });
    if (!reason) {
      await fieldError('Say why; approvers read it.');
      return;
    }
    const identity = await feature.identify(body.user.id, body.user.team_id ?? body.team?.id);
    const problem = requesterProblem(identity, feature.policy, userId);
    if (problem || !identity.mapped) {
      await ack({
        response_action: 'update',
        view: checkedView(noticeModal(TITLE, problem ?? '')),
      });
      return;
    }
    const user = await feature.cognito?.findUser(userId);
    if (!user) {
      await fieldError(`There is no Cognito user ${userId}.`);
      return;
    }
    await ack();
    await submitRequest(feature.workflow, feature.dms, feature.logger, {
      kind: 'user.reset-password',
      params: { userId },
      reason,
      requester: { slackUserId: identity.slackUserId, vamsUserId: identity.vamsUserId },
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
