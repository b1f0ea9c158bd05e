import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import {
  BREAKGLASS_REASON_MIN,
  type BreakglassPolicy,
  breakglassDurations,
  breakglassRefusal,
} from '../auth/breakglass-policy';
import { grantIdOf } from '../domain/grant';
import { REQUEST_ID } from '../domain/request';
import { parseViewState, textValue } from '../slack/view-state';
import type { VamsRoleCatalog } from '../stores/vams-roles.store';
import { ROLE_NAME } from '../vams/vams-format';
import {
  BREAKGLASS_IDS,
  breakglassModal,
  breakglassRefusalText,
  reviewRefusalText,
} from '../views/breakglass.view';
import { usageErrorMessage } from '../views/help.view';
import { type MessageBody, sectionMessage } from '../views/message';
import { code } from '../views/mrkdwn';
import { REQUEST_IDS } from '../views/request-card.view';
import { fieldErrorsAck, noticeAck, openThenCheck, type RequestFeature } from './dialogs';
import { answerClick, type HomeTabs } from './home.commands';
import type { SubCommand } from './sub-command';
import { submitRequest } from './submit-request';

export interface BreakglassFeature extends RequestFeature {
  breakglass: BreakglassPolicy;
  /** GRANT_DURATIONS: the dialog offers those within BREAKGLASS_MAX_MINUTES. */
  grantDurations: readonly number[];
  roles: Pick<VamsRoleCatalog, 'missing'>;
  grants: {
    revoke(
      userId: string,
      roleName: string,
      grantId: string,
      at: Date,
    ): Promise<{ rowDeleted: boolean } | 'no-grant'>;
  };
  /** Tells of grants that just ended (their threads, the grantee) without waiting for the sweep. */
  tellEnded(userId: string, roleName: string): Promise<void>;
  clock: () => Date;
  homes?: HomeTabs;
}

const USAGE = '/vams breakglass <role>';
const TITLE = 'Break glass';

/** Why this person may not break glass for `role` now, or undefined: live roles and the table. */
async function breakglassProblem(
  feature: BreakglassFeature,
  who: { slackUserId: string; teamId: string | undefined },
  role: string,
): Promise<string | undefined> {
  const [identity, missing] = await Promise.all([
    feature.identify(who.slackUserId, who.teamId),
    feature.roles.missing([role]),
  ]);
  const decision = breakglassRefusal(identity, role, feature.breakglass);
  if (!decision.allowed) return breakglassRefusalText(decision.refusal);
  if (missing.length > 0) return `VAMS has no role ${code(role)} (it is not in the roles table).`;
  return undefined;
}

export function breakglassCommand(feature: BreakglassFeature): SubCommand {
  return {
    name: 'breakglass',
    // Shown to those who hold an allowed role, whichever roles it gives.
    audience: (identity) =>
      identity.mapped &&
      feature.breakglass.roles.length > 0 &&
      identity.roles.some((role) => feature.breakglass.allowed.includes(role)),
    usage: USAGE,
    summary: `an emergency role for yourself at once, announced and reviewed by an admin afterwards (if you may)`,
    run: async (invocation) => {
      const [role, ...extra] = invocation.args;
      if (!role || extra.length > 0 || !ROLE_NAME.test(role)) {
        await invocation.ack(usageErrorMessage('Name the one VAMS role you need.', USAGE));
        return;
      }
      // Off: said at once, without a dialog.
      if (feature.breakglass.allowed.length === 0 || feature.breakglass.roles.length === 0) {
        await invocation.ack(sectionMessage(breakglassRefusalText({ code: 'off' })));
        return;
      }
      await invocation.ack();
      const durations = breakglassDurations(feature.grantDurations, feature.breakglass.maxMinutes);
      await openThenCheck(feature, invocation.triggerId, breakglassModal(role, durations), () =>
        breakglassProblem(
          feature,
          { slackUserId: invocation.slackUserId, teamId: invocation.teamId },
          role,
        ),
      );
    },
  };
}

function say(text: string): MessageBody {
  return sectionMessage(text);
}

export function registerBreakglassFeature(app: App, feature: BreakglassFeature): void {
  app.view(BREAKGLASS_IDS.callbackId, async ({ ack, body, view }) => {
    const values = parseViewState(view.state.values);
    const role = view.private_metadata;
    const reason = textValue(values, BREAKGLASS_IDS.reason).trim();
    const minutes = Number(textValue(values, BREAKGLASS_IDS.duration));
    const durations = breakglassDurations(feature.grantDurations, feature.breakglass.maxMinutes);
    const errors: Partial<Record<'duration' | 'reason', string>> = {};
    if (!durations.includes(minutes)) errors.duration = 'Choose one of the durations offered.';
    if (reason.length < BREAKGLASS_REASON_MIN) {
      errors.reason = `Say what is broken and why you need this role: at least ${BREAKGLASS_REASON_MIN} characters (${reason.length} so far).`;
    }
    if (errors.duration || errors.reason) {
      await ack(fieldErrorsAck(errors, BREAKGLASS_IDS));
      return;
    }
    if (!ROLE_NAME.test(role)) {
      await ack(
        noticeAck(TITLE, 'This dialog names no role; run `/vams breakglass <role>` again.'),
      );
      return;
    }
    const who = { slackUserId: body.user.id, teamId: body.user.team_id ?? body.team?.id };
    // Checked again with the roles held now: a dialog left open does not keep a right.
    const [identity, problem] = await Promise.all([
      feature.identify(who.slackUserId, who.teamId),
      breakglassProblem(feature, who, role),
    ]);
    if (problem || !identity.mapped) {
      await ack(noticeAck(TITLE, problem ?? 'You are not a VAMS user.'));
      return;
    }
    await ack();
    const allowedBy = identity.roles.filter((held) => feature.breakglass.allowed.includes(held));
    await submitRequest(feature, view, {
      kind: 'breakglass',
      params: { userId: identity.vamsUserId, roles: [role], minutes },
      reason,
      requester: { slackUserId: identity.slackUserId, vamsUserId: identity.vamsUserId },
      subject: identity.vamsUserId,
      preflight: [
        {
          check: 'breakglass-allowed',
          ok: true,
          detail: `${identity.vamsUserId} holds ${allowedBy.join(', ')}, allowed to break glass for ${role}`,
        },
      ],
    });
  });

  // `Reviewed` and `Revoke now` on a break-glass card: an admin other than the grantee, with the
  // roles they hold now, once.
  const review = (actionId: string, outcome: 'reviewed' | 'revoked') =>
    app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, body, action, respond }) => {
      await ack();
      const reply = (message: MessageBody) =>
        answerClick(feature.homes, body, respond, message, feature.logger);
      const id = action.value ?? '';
      if (!REQUEST_ID.test(id)) {
        await reply(
          say('That button is out of date; the card in the approvals channel shows its state.'),
        );
        return;
      }
      const [identity, current] = await Promise.all([
        feature.identify(body.user.id, body.user.team_id ?? body.team?.id),
        feature.workflow.get(id),
      ]);
      if (!current) {
        await reply(say('That request no longer exists.'));
        return;
      }
      const refusal = feature.workflow.reviewRefusalFor(current, identity);
      if (refusal) {
        await reply(say(reviewRefusalText(refusal, current)));
        return;
      }
      // A revocation ends the grant before it is recorded: what the card, the thread and the
      // grantee are told is then true. Ending it twice (a second click) changes nothing.
      let ended: { rowDeleted: boolean } | 'no-grant' | undefined;
      if (outcome === 'revoked' && current.kind === 'breakglass') {
        const [role] = current.params.roles;
        try {
          ended = role
            ? await feature.grants.revoke(
                current.params.userId,
                role,
                grantIdOf(current.id, 0),
                feature.clock(),
              )
            : 'no-grant';
        } catch (error) {
          feature.logger.error({ err: error, requestId: id }, 'could not end a break-glass grant');
          await reply(
            say('The grant could not be ended just now, so nothing was recorded; click again.'),
          );
          return;
        }
      }
      const result = await feature.workflow.decide(outcome, id, identity);
      switch (result.outcome) {
        case 'not-found':
          await reply(say('That request no longer exists.'));
          return;
        case 'busy':
          await reply(say('Many people clicked at once; please click again.'));
          return;
        case 'refused':
          await reply(say(reviewRefusalText(result.refusal, result.request)));
          return;
        case 'done':
          break;
      }
      const { request } = result;
      if (outcome === 'reviewed' || request.kind !== 'breakglass' || ended === undefined) return;
      const { userId, roles } = request.params;
      const role = roles[0] ?? '';
      if (ended === 'no-grant') {
        await reply(say(`${request.id} is revoked; no grant of it was running any more.`));
        return;
      }
      await feature
        .tellEnded(userId, role)
        .catch((error: unknown) =>
          feature.logger.warn(
            { err: error, requestId: request.id },
            'could not tell of a revoked grant yet; the sweep will',
          ),
        );
      await reply(
        say(
          ended.rowDeleted
            ? `Revoked: ${code(userId)} no longer holds ${code(role)} (VAMS takes up to ~30 s to notice).`
            : `Revoked the break-glass grant; ${code(userId)} keeps ${code(role)}, which they hold otherwise too.`,
        ),
      );
    });
  review(REQUEST_IDS.reviewed, 'reviewed');
  review(REQUEST_IDS.revokeNow, 'revoked');
}
