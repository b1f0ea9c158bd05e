import type { App } from '@slack/bolt';
import { z } from 'zod';
import { filingRefusal, mayFile } from '../auth/filing-policy';
import { type PreflightResult, REASON_REQUIRED } from '../domain/request';
import { keysToDeactivateText } from '../kinds/user-access/steps';
import { parseViewState, textValue } from '../slack/view-state';
import type { VamsApiKeyStore } from '../stores/vams-api-keys.store';
import { filingRefusalText } from '../views/filing-refusal.view';
import { REASON_IDS, reasonModal, userAccessWhat } from '../views/reason.view';
import {
  noticeAck,
  oneUserId,
  openThenCheck,
  reasonErrorAck,
  type UserRequestFeature,
} from './dialogs';
import type { SubCommand } from './sub-command';
import { submitRequest } from './submit-request';

export interface UserAccessFeature extends UserRequestFeature {
  /** Read to tell the approver how many keys a disable takes away. */
  apiKeys: Pick<VamsApiKeyStore, 'keysOf'>;
}

export type AccessKind = 'user.disable' | 'user.enable' | 'user.signout';
const ACCESS_KINDS: readonly AccessKind[] = ['user.disable', 'user.enable', 'user.signout'];

const ACCESS: Record<
  AccessKind,
  { word: string; title: string; verb: string; note: string; summary: string }
> = {
  'user.disable': {
    word: 'disable',
    title: 'Disable a user',
    verb: 'Disable',
    note: 'They can no longer sign in, and every active API key of theirs is deactivated (VAMS accepts a disabled user’s keys otherwise). Access tokens already issued stay valid until they expire (up to an hour).',
    summary: 'disable a Cognito user (needs an approval)',
  },
  'user.enable': {
    word: 'enable',
    title: 'Enable a user',
    verb: 'Enable',
    note: 'They can sign in again with their current password. API keys deactivated when they were disabled stay inactive.',
    summary: 'enable a disabled Cognito user (needs an approval)',
  },
  'user.signout': {
    word: 'signout',
    title: 'Sign a user out',
    verb: 'Sign out everywhere:',
    note: 'Their refresh tokens are revoked; access tokens already issued stay valid until they expire (up to an hour).',
    summary: 'sign a user out everywhere (needs an approval)',
  },
};

const metadata = z.object({
  kind: z.enum(['user.disable', 'user.enable', 'user.signout']),
  userId: z.string(),
});

/**
 * The reason dialog for disabling, enabling or signing out a user, opened with a trigger (a
 * slash command's or a button click's, both living 3 s): opened first, then who asks is checked.
 */
export async function openAccessDialog(
  feature: Pick<UserAccessFeature, 'identify' | 'policy' | 'views' | 'logger' | 'apiKeys'>,
  ask: {
    kind: AccessKind;
    userId: string;
    triggerId: string;
    slackUserId: string;
    teamId: string | undefined;
  },
): Promise<void> {
  const access = ACCESS[ask.kind];
  const modalWith = (note: string) =>
    reasonModal({
      callbackId: REASON_IDS.userAccessCallbackId,
      title: access.title,
      submit: 'Request',
      what: userAccessWhat(access.verb, ask.userId, note),
      metadata: JSON.stringify({ kind: ask.kind, userId: ask.userId }),
    });
  await openThenCheck(feature, ask.triggerId, modalWith(access.note), async () => {
    const [identity, keys] = await Promise.all([
      feature.identify(ask.slackUserId, ask.teamId),
      ask.kind === 'user.disable' ? feature.apiKeys.keysOf(ask.userId) : Promise.resolve([]),
    ]);
    const refusal = filingRefusal(identity, feature.policy, { kind: ask.kind, userId: ask.userId });
    if (refusal) return filingRefusalText(refusal);
    if (ask.kind !== 'user.disable') return undefined;
    // The person deciding to ask sees what the disable takes away, as the card will.
    return modalWith(`${access.note} ${keysToDeactivateText(ask.userId, activeCount(keys))}.`);
  });
}

const activeCount = (keys: readonly { active: boolean }[]) =>
  keys.filter((key) => key.active).length;

export function userAccessCommands(feature: UserAccessFeature): SubCommand[] {
  return ACCESS_KINDS.map((kind) => {
    const access = ACCESS[kind];
    const usage = `/vams user ${access.word} <userId>`;
    return {
      name: `user ${access.word}`,
      audience: 'admins',
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
    const fieldError = (message: string) => ack(reasonErrorAck(message));
    if (!reason) {
      await fieldError(REASON_REQUIRED);
      return;
    }
    // Independent reads, at once: the dialog is answered within Slack's 3 s.
    const [identity, user, keys] = await Promise.all([
      feature.identify(body.user.id, body.user.team_id ?? body.team?.id),
      feature.cognito?.findUser(userId),
      kind === 'user.disable' ? feature.apiKeys.keysOf(userId) : Promise.resolve([]),
    ]);
    const filing = mayFile(identity, feature.policy, { kind, userId });
    if (!filing.allowed) {
      await ack(noticeAck(ACCESS[kind].title, filingRefusalText(filing.refusal)));
      return;
    }
    const { requester } = filing;
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
    const preflight: PreflightResult[] = [
      {
        check: 'user-exists',
        ok: true,
        detail: `Cognito user ${userId} exists (${user.enabled ? 'enabled' : 'disabled'}, ${user.status ?? 'unknown status'})`,
      },
    ];
    if (kind === 'user.disable') {
      preflight.push({
        check: 'api-keys',
        ok: true,
        detail: keysToDeactivateText(userId, activeCount(keys)),
      });
    }
    await submitRequest(feature, view, {
      kind,
      params: { userId },
      reason,
      requester: { slackUserId: requester.slackUserId, vamsUserId: requester.vamsUserId },
      subject: userId,
      preflight,
    });
  });
}
