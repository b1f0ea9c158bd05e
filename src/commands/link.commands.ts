import type { App } from '@slack/bolt';
import { z } from 'zod';
import { mayFile } from '../auth/filing-policy';
import { linkRefusal, type SlackLink, type SlackPerson } from '../auth/identity';
import type { AuditEvent } from '../domain/audit';
import { type PreflightResult, REASON_REQUIRED } from '../domain/request';
import { SLACK_USER_ID } from '../kinds/link/params';
import { parseViewState, textValue } from '../slack/view-state';
import { VAMS_USER_ID } from '../vams/vams-format';
import { filingRefusalText } from '../views/filing-refusal.view';
import { usageErrorMessage } from '../views/help.view';
import {
  LINK_IDS,
  LINK_TITLE,
  linkModal,
  noLinkReply,
  unlinkedDm,
  unlinkedReply,
} from '../views/link.view';
import { sectionMessage } from '../views/message';
import { code } from '../views/mrkdwn';
import { REASON_IDS } from '../views/reason.view';
import { recipientRefusalText } from '../workflow/secret-recipients';
import { noticeAck, openThenCheck, type RequestFeature, reasonErrorAck } from './dialogs';
import type { SubCommand } from './sub-command';
import { submitRequest } from './submit-request';

export interface LinkFeature extends RequestFeature {
  links: {
    linkOf(slackUserId: string): Promise<SlackLink | undefined>;
    slackUserOfVamsUser(vamsUserId: string): Promise<string | undefined>;
    unlink(slackUserId: string): Promise<SlackLink | undefined>;
  };
  /** users.info read now, not from the cache: who is linked is vetted as they are. */
  slackPerson(slackUserId: string): Promise<SlackPerson | undefined>;
  homeTeamId: string;
  rolesOf(vamsUserId: string): Promise<string[]>;
  /** Undefined when users live in an external identity provider. */
  cognitoUserExists: ((userId: string) => Promise<boolean>) | undefined;
  audit(event: AuditEvent): Promise<void>;
  clock: () => Date;
}

export const LINK_USAGE = {
  link: '/vams link @slack-user <vamsUserId>',
  unlink: '/vams unlink @slack-user',
} as const;

/**
 * A Slack user mention as Slack writes it in a command's text: `<@U…>`, or `<@U…|name>` when
 * the command escapes its text. The Slack user ID, or undefined for anything else.
 */
export function slackMention(word: string): string | undefined {
  const match = /^<@([UW][A-Z0-9]+)(?:\|[^<>]*)?>$/.exec(word);
  const id = match?.[1];
  return id && SLACK_USER_ID.test(id) ? id : undefined;
}

const metadata = z.object({ slackUserId: z.string().regex(SLACK_USER_ID), vamsUserId: z.string() });

/**
 * Why this link cannot be asked for, or what the card's pre-flight shows: the VAMS user exists,
 * the Slack account is a member the bot serves, and neither is linked to someone else.
 */
async function linkChecks(
  feature: LinkFeature,
  asker: string,
  slackUserId: string,
  vamsUserId: string,
): Promise<{ problem: string } | { preflight: PreflightResult[] }> {
  if (slackUserId === asker) {
    return { problem: 'You cannot link your own Slack account; ask another admin.' };
  }
  const [person, roles, inCognito, existing, holder] = await Promise.all([
    feature.slackPerson(slackUserId),
    feature.rolesOf(vamsUserId),
    feature.cognitoUserExists?.(vamsUserId) ?? Promise.resolve(false),
    feature.links.linkOf(slackUserId),
    feature.links.slackUserOfVamsUser(vamsUserId),
  ]);
  const refusal = linkRefusal(person, feature.homeTeamId);
  if (refusal) {
    return {
      problem: `<@${slackUserId}> cannot be linked: the Slack account ${recipientRefusalText(refusal)}.`,
    };
  }
  if (roles.length === 0 && !inCognito) {
    const where = feature.cognitoUserExists ? 'no role in VAMS and no Cognito user' : 'no role';
    return { problem: `There is no VAMS user ${code(vamsUserId)} (${where}).` };
  }
  if (existing) {
    return {
      problem:
        existing.vamsUserId === vamsUserId
          ? `<@${slackUserId}> is already linked to ${code(vamsUserId)}.`
          : `<@${slackUserId}> is linked to ${code(existing.vamsUserId)}; remove that link first (\`/vams unlink\`).`,
    };
  }
  if (holder && holder !== slackUserId) {
    return {
      problem: `VAMS user ${code(vamsUserId)} is linked to <@${holder}>; remove that link first (\`/vams unlink\`).`,
    };
  }
  const held = roles.length > 0 ? `roles: ${roles.join(', ')}` : 'a Cognito user with no role yet';
  return {
    preflight: [
      { check: 'vams-user', ok: true, detail: `VAMS user ${vamsUserId} exists (${held})` },
      {
        check: 'slack-user',
        ok: true,
        detail: `the Slack account ${slackUserId} is a member of this workspace, not linked yet`,
      },
    ],
  };
}

/** The check that turns the opened dialog into a notice when nothing can be asked. */
async function refusalOfLink(
  feature: LinkFeature,
  ask: { slackUserId: string; teamId: string | undefined; target: string; vamsUserId: string },
): Promise<string | undefined> {
  const identity = await feature.identify(ask.slackUserId, ask.teamId);
  const filing = mayFile(identity, feature.policy, { kind: 'link', vamsUserId: ask.vamsUserId });
  if (!filing.allowed) return filingRefusalText(filing.refusal);
  const checks = await linkChecks(feature, ask.slackUserId, ask.target, ask.vamsUserId);
  return 'problem' in checks ? checks.problem : undefined;
}

/** No approval: a removed link only takes access away. Audited; the person is told. */
async function unlink(
  feature: LinkFeature,
  asker: { slackUserId: string; teamId: string | undefined },
  target: string,
): Promise<string> {
  const self = target === asker.slackUserId;
  let actor: string | undefined;
  // Anyone may remove their own link, mapped or not: it gives nothing.
  if (!self) {
    const identity = await feature.identify(asker.slackUserId, asker.teamId);
    const filing = mayFile(identity, feature.policy, { kind: 'unlink', slackUserId: target });
    if (!filing.allowed) return filingRefusalText(filing.refusal);
    actor = filing.requester.vamsUserId;
  }
  const removed = await feature.links.unlink(target);
  if (!removed) return noLinkReply(target, self);
  await feature.audit({
    requestId: `link-${target}`,
    at: feature.clock().toISOString(),
    type: self ? 'link-removed-by-self' : 'link-removed-by-admin',
    actor: actor ?? removed.vamsUserId,
    detail: {
      slackUserId: target,
      vamsUserId: removed.vamsUserId,
      removedBy: asker.slackUserId,
      ...(removed.requestId ? { linkRequestId: removed.requestId } : {}),
    },
  });
  feature.logger.info(
    { slackUserId: target, vamsUserId: removed.vamsUserId, removedBy: asker.slackUserId },
    'link removed',
  );
  if (self) return unlinkedReply(target, removed.vamsUserId, 'self');
  try {
    await feature.dms.send(target, unlinkedDm(removed.vamsUserId, asker.slackUserId));
    return unlinkedReply(target, removed.vamsUserId, 'told');
  } catch (error) {
    feature.logger.warn({ err: error, slackUserId: target }, 'could not tell of a removed link');
    return unlinkedReply(target, removed.vamsUserId, 'not-told');
  }
}

export function linkCommands(feature: LinkFeature): SubCommand[] {
  const link: SubCommand = {
    name: 'link',
    audience: 'admins',
    usage: LINK_USAGE.link,
    summary:
      'link a Slack account to a VAMS user, when its email does not match (admins; needs an approval)',
    run: async (invocation) => {
      const [mention, vamsUserId, ...extra] = invocation.args;
      const target = mention ? slackMention(mention) : undefined;
      if (!target || !vamsUserId || extra.length > 0 || !VAMS_USER_ID.test(vamsUserId)) {
        await invocation.ack(
          usageErrorMessage(
            'Mention one Slack user (type @ and pick them) and name one VAMS user ID.',
            LINK_USAGE.link,
          ),
        );
        return;
      }
      await invocation.ack();
      await openThenCheck(feature, invocation.triggerId, linkModal(target, vamsUserId), () =>
        refusalOfLink(feature, {
          slackUserId: invocation.slackUserId,
          teamId: invocation.teamId,
          target,
          vamsUserId,
        }),
      );
    },
  };
  const unlinkCommand: SubCommand = {
    name: 'unlink',
    usage: LINK_USAGE.unlink,
    summary: 'remove a link at once: your own, or as an admin anyone’s (they are told)',
    run: async (invocation) => {
      const [mention, ...extra] = invocation.args;
      const target = mention ? slackMention(mention) : undefined;
      if (!target || extra.length > 0) {
        await invocation.ack(
          usageErrorMessage('Mention one Slack user (type @ and pick them).', LINK_USAGE.unlink),
        );
        return;
      }
      await invocation.ack();
      await invocation.reply(
        sectionMessage(
          await unlink(
            feature,
            { slackUserId: invocation.slackUserId, teamId: invocation.teamId },
            target,
          ),
        ),
      );
    },
  };
  return [link, unlinkCommand];
}

export function registerLinkFeature(app: App, feature: LinkFeature): void {
  app.view(LINK_IDS.callbackId, async ({ ack, body, view }) => {
    const { slackUserId, vamsUserId } = metadata.parse(JSON.parse(view.private_metadata));
    const reason = textValue(parseViewState(view.state.values), REASON_IDS.reason).trim();
    if (!reason) {
      await ack(reasonErrorAck(REASON_REQUIRED));
      return;
    }
    const identity = await feature.identify(body.user.id, body.user.team_id ?? body.team?.id);
    const filing = mayFile(identity, feature.policy, { kind: 'link', vamsUserId });
    if (!filing.allowed) {
      await ack(noticeAck(LINK_TITLE, filingRefusalText(filing.refusal)));
      return;
    }
    const { requester } = filing;
    // Checked again: the dialog may have stayed open while someone else linked either of them.
    const checks = await linkChecks(feature, requester.slackUserId, slackUserId, vamsUserId);
    if ('problem' in checks) {
      await ack(noticeAck(LINK_TITLE, checks.problem));
      return;
    }
    await ack();
    await submitRequest(feature, view, {
      kind: 'link',
      params: { slackUserId, vamsUserId },
      reason,
      requester: { slackUserId: requester.slackUserId, vamsUserId: requester.vamsUserId },
      subject: vamsUserId,
      subjectSlackUserIds: [slackUserId],
      preflight: checks.preflight,
    });
  });
}
