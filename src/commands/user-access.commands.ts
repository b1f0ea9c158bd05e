import type { App } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import type { Identity } from '../auth/identity';
import { type RolePolicy, standingOf } from '../auth/roles';
import type { CognitoAdmin } from '../gateways/cognito-admin.gateway';
import type { AppLogger } from '../logging';
import type { DirectMessages } from '../slack/slack-notifier';
import { parseViewState, textValue } from '../slack/view-state';
import { checkedView } from '../views/outgoing';
import { REASON_IDS, reasonModal, userAccessWhat } from '../views/reason.view';
import { explainRefusal } from '../views/reasons';
import { noticeModal } from '../views/user-create.view';
import type { Workflow } from '../workflow/workflow';
import { oneUserId, openThenCheck } from './dialogs';
import type { Identify } from './identity.commands';
import type { SubCommand } from './sub-command';
import { submitRequest } from './submit-request';

export interface UserAccessFeature {
  identify: Identify;
  workflow: Workflow;
  cognito: CognitoAdmin | undefined;
  policy: RolePolicy;
  views: WebClient;
  dms: DirectMessages;
  logger: AppLogger;
}

export type AccessKind = 'user.disable' | 'user.enable' | 'user.signout';
const ACCESS_KINDS: readonly AccessKind[] = ['user.disable', 'user.enable', 'user.signout'];

const ACCESS: Record<
  AccessKind,
  { word: string; title: string; verb: string; note: string; summary: string; self?: string }
> = {
  'user.disable': {
    word: 'disable',
    title: 'Disable a user',
    verb: 'Disable',
    note: 'They can no longer sign in; access tokens already issued stay valid until they expire (up to an hour).',
    summary: 'disable a Cognito user (needs an approval)',
    self: 'You cannot disable yourself; ask another admin.',
  },
  'user.enable': {
    word: 'enable',
    title: 'Enable a user',
    verb: 'Enable',
    note: 'They can sign in again with their current password.',
    summary: 'enable a disabled Cognito user (needs an approval)',
  },
  'user.signout': {
    word: 'signout',
    title: 'Sign a user out',
    verb: 'Sign out everywhere:',
    note: 'Their refresh tokens are revoked; access tokens already issued stay valid until they expire (up to an hour).',
    summary: 'sign a user out everywhere (needs an approval)',
    self: 'You cannot sign yourself out here; ask another admin.',
  },
};

const metadata = z.object({
  kind: z.enum(['user.disable', 'user.enable', 'user.signout']),
  userId: z.string(),
});

/** Why this person may not ask for this change, or undefined. */
function requesterProblem(
  identity: Identity,
  policy: RolePolicy,
  kind: AccessKind,
  userId: string,
): string | undefined {
  if (!identity.mapped)
    return `You cannot make requests: ${explainRefusal(identity.reason, identity.email)}`;
  if (!standingOf(identity.roles, policy).isAdmin)
    return 'Only VAMS admins can change users’ access.';
  const self = ACCESS[kind].self;
  if (self && identity.vamsUserId.toLowerCase() === userId.toLowerCase()) return self;
  return undefined;
}

/**
 * The reason dialog for disabling, enabling or signing out a user, opened with a trigger (a
 * slash command's or a button click's, both living 3 s): opened first, then who asks is checked.
 */
export async function openAccessDialog(
  feature: Pick<UserAccessFeature, 'identify' | 'policy' | 'views'>,
  ask: {
    kind: AccessKind;
    userId: string;
    triggerId: string;
    slackUserId: string;
    teamId: string | undefined;
  },
): Promise<void> {
  const access = ACCESS[ask.kind];
  const modal = reasonModal({
    callbackId: REASON_IDS.userAccessCallbackId,
    title: access.title,
    submit: 'Request',
    what: userAccessWhat(access.verb, ask.userId, access.note),
    metadata: JSON.stringify({ kind: ask.kind, userId: ask.userId }),
  });
  await openThenCheck(feature.views, ask.triggerId, modal, async () =>
    requesterProblem(
      await feature.identify(ask.slackUserId, ask.teamId),
      feature.policy,
      ask.kind,
      ask.userId,
    ),
  );
}

export function userAccessCommands(feature: UserAccessFeature): SubCommand[] {
  return ACCESS_KINDS.map((kind) => {
    const access = ACCESS[kind];
    const usage = `/vams user ${access.word} <userId>`;
    return {
      name: `user ${access.word}`,
      usage,
      summary: access.summary,
      run: async (invocation) => {
        const userId = await oneUserId(invocation, usage, feature.cognito !== undefined);
        if (!userId) return;
        await invocation.ack();
        await openAccessDialog(feature, {
          kind,
          userId,
          triggerId: invocation.triggerId,
          slackUserId: invocation.slackUserId,
          teamId: invocation.teamId,
        });
      },
    };
  });
}

export function registerUserAccessFeature(app: App, feature: UserAccessFeature): void {
  app.view(REASON_IDS.userAccessCallbackId, async ({ ack, body, view }) => {
    const { kind, userId } = metadata.parse(JSON.parse(view.private_metadata));
    const reason = textValue(parseViewState(view.state.values), REASON_IDS.reason).trim();
    const fieldError = (message: string) =>
      ack({ response_action: 'errors', errors: { [REASON_IDS.reason.block]: message } });
    if (!reason) {
      await fieldError('Say why; approvers read it.');
      return;
    }
    const identity = await feature.identify(body.user.id, body.user.team_id ?? body.team?.id);
    const problem = requesterProblem(identity, feature.policy, kind, userId);
    if (problem || !identity.mapped) {
      await ack({
        response_action: 'update',
        view: checkedView(noticeModal(ACCESS[kind].title, problem ?? '')),
      });
      return;
    }
    const user = await feature.cognito?.findUser(userId);
    if (!user) {
      await fieldError(`There is no Cognito user ${userId}.`);
      return;
    }
    if (kind === 'user.disable' && !user.enabled) {
      await fieldError(`${userId} is already disabled.`);
      return;
    }
    if (kind === 'user.enable' && user.enabled) {
      await fieldError(`${userId} is already enabled.`);
      return;
    }
    await ack();
    await submitRequest(feature.workflow, feature.dms, feature.logger, {
      kind,
      params: { userId },
      reason,
      requester: { slackUserId: identity.slackUserId, vamsUserId: identity.vamsUserId },
      subject: userId,
      preflight: [
        {
          check: 'user-exists',
          ok: true,
          detail: `Cognito user ${userId} exists (${user.enabled ? 'enabled' : 'disabled'}, ${user.status ?? 'unknown status'})`,
        },
      ],
    });
  });
}
