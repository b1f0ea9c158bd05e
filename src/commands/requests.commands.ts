import type { App, BlockAction, ButtonAction, RespondFn } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Identity } from '../auth/identity';
import type { AuditEvent } from '../domain/audit';
import { type AccessRequest, REQUEST_ID } from '../domain/request';
import type { AppLogger } from '../logging';
import { parseViewState, textValue } from '../slack/view-state';
import { usageErrorMessage } from '../views/help.view';
import type { MessageBody } from '../views/message';
import { checkedView } from '../views/outgoing';
import { REQUEST_IDS, rejectModal } from '../views/request-card.view';
import { requestDetailMessage } from '../views/request-detail.view';
import { explainDecisionRefusal } from '../views/request-thread.view';
import { requestsListMessage } from '../views/requests-list.view';
import type { ClickAction, ClickResult, Workflow } from '../workflow/workflow';
import { answerClick, fromHome, type HomeTabs } from './home.commands';
import type { Identify } from './identity.commands';
import type { SubCommand } from './sub-command';

export interface RequestsFeature {
  identify: Identify;
  workflow: Workflow;
  views: WebClient;
  messages: WebClient;
  logger: AppLogger;
  /** Why approving this request must be refused now, beyond who clicks (a kind's own rule). */
  approvalProblem?(request: AccessRequest): Promise<string | undefined>;
  /** Clicks on someone's Home tab are answered there. */
  homes?: HomeTabs;
  isAdmin(identity: Identity): boolean;
  /** A request's audit trail. */
  events(requestId: string): Promise<AuditEvent[]>;
}

function say(text: string): MessageBody {
  return { text, blocks: [] };
}

/** What the clicker reads after a click; undefined when the card itself says it all. */
export function clickAnswer(
  result: ClickResult,
  action: 'approve' | 'reject' | 'cancel' | 'retry',
): MessageBody | undefined {
  switch (result.outcome) {
    case 'not-found':
      return say('That request no longer exists.');
    case 'busy':
      return say(
        'Many people clicked at once and your click could not be recorded; please click again.',
      );
    case 'refused':
      return say(explainDecisionRefusal(result.refusal, result.request));
    case 'done': {
      const { request } = result;
      if (action === 'approve' && request.status === 'pending') {
        return say(
          `Your approval of ${request.id} is recorded: ${request.approvals.length} of ${request.requiredApprovals}. It runs when another approver agrees.`,
        );
      }
      return undefined;
    }
  }
}

/** What the clicker reads after a click that the card tells of by itself. */
function doneAnswer(result: ClickResult, action: ClickAction): MessageBody | undefined {
  if (result.outcome !== 'done') return undefined;
  const { request } = result;
  switch (action) {
    case 'approve':
      return say(`You approved ${request.id}; it runs now, and its thread shows how it goes.`);
    case 'cancel':
      return say(`You cancelled ${request.id}.`);
    case 'retry':
      return say(`${request.id} runs again from the step that failed.`);
    case 'reject':
      return say(`You rejected ${request.id}.`);
  }
}

/** `/vams requests` as it stands for this person now. */
async function requestsList(
  feature: RequestsFeature,
  identity: Identity,
  slackUserId: string,
  notice?: string,
): Promise<MessageBody> {
  const open = await feature.workflow.open();
  const decidable = identity.mapped
    ? open.filter((request) => feature.workflow.refusalFor(request, identity) === undefined)
    : [];
  const own = open.filter((request) => request.requester.slackUserId === slackUserId);
  return requestsListMessage(decidable, own, notice);
}

// Buttons of the `/vams requests` list sit in blocks whose ids start so.
const LIST_BLOCK = /^list-/;

/**
 * Answers a click: on the Home tab by drawing it again, on the `/vams requests` list by
 * replacing the list with one as it is now (so it never shows a decided request as waiting),
 * on a card by an ephemeral reply when the card does not say it all.
 */
async function answer(
  feature: RequestsFeature,
  click: { body: BlockAction<ButtonAction>; action: ButtonAction; respond: RespondFn | undefined },
  identity: Identity | undefined,
  body: MessageBody | undefined,
  done?: MessageBody,
): Promise<void> {
  const { logger } = feature;
  const reply = body ?? done;
  if (fromHome(click.body)) {
    if (reply) await answerClick(feature.homes, click.body, click.respond, reply, logger);
    return;
  }
  if (identity && click.respond && LIST_BLOCK.test(click.action.block_id)) {
    try {
      const list = await requestsList(feature, identity, click.body.user.id, reply?.text);
      await click.respond({ response_type: 'ephemeral', replace_original: true, ...list });
    } catch (error) {
      logger.warn({ err: error }, 'could not redraw the requests list');
    }
    return;
  }
  if (body) await answerClick(feature.homes, click.body, click.respond, body, logger);
}

export function requestsCommand(feature: RequestsFeature): SubCommand {
  return {
    name: 'requests',
    usage: '/vams requests',
    summary: 'pending requests you can decide, and your own open requests',
    run: async (invocation) => {
      await invocation.ack();
      const identity = await feature.identify(invocation.slackUserId, invocation.teamId);
      await invocation.reply(await requestsList(feature, identity, invocation.slackUserId));
    },
  };
}

const OUT_OF_DATE = 'That button is out of date; `/vams requests` lists what waits for you.';

export function registerRequestsFeature(app: App, feature: RequestsFeature): void {
  const { workflow, identify } = feature;

  // Approve, Cancel request and Retry are recorded at once, and the card shows it; a run they
  // start goes on without the click. The clicker hears back only on a refusal.
  const immediate = [
    [REQUEST_IDS.approve, 'approve'],
    [REQUEST_IDS.cancel, 'cancel'],
    [REQUEST_IDS.retry, 'retry'],
  ] as const;
  for (const [actionId, name] of immediate) {
    app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, body, action, respond }) => {
      await ack();
      // Anyone can send any value: only a request id is looked up.
      const id = action.value ?? '';
      const valid = REQUEST_ID.test(id);
      // The request is read once: for the kind's own rule and as the decision's starting point.
      const [identity, request] = await Promise.all([
        identify(body.user.id, body.user.team_id ?? body.team?.id),
        valid ? workflow.get(id) : undefined,
      ]);
      const click = { body, action, respond };
      if (!valid) {
        await answer(feature, click, identity, say(OUT_OF_DATE));
        return;
      }
      const problem =
        name === 'approve' && request ? await feature.approvalProblem?.(request) : undefined;
      if (problem) {
        await answer(feature, click, identity, say(`Not approved: ${problem}.`));
        return;
      }
      const result = await workflow.decide(name, id, identity, undefined, request);
      await answer(feature, click, identity, clickAnswer(result, name), doneAnswer(result, name));
    });
  }

  // Rejecting asks for an optional comment, so the rules are checked before the dialog opens.
  app.action<BlockAction<ButtonAction>>(
    REQUEST_IDS.reject,
    async ({ ack, body, action, respond }) => {
      await ack();
      // Both reads at once: the dialog must open within the click's 3 s trigger.
      const [identity, request] = await Promise.all([
        identify(body.user.id, body.user.team_id ?? body.team?.id),
        REQUEST_ID.test(action.value ?? '') ? workflow.get(action.value ?? '') : undefined,
      ]);
      const click = { body, action, respond };
      if (!request) {
        await answer(feature, click, identity, clickAnswer({ outcome: 'not-found' }, 'reject'));
        return;
      }
      const refusal = workflow.refusalFor(request, identity);
      if (refusal) {
        const result = await workflow.reject(request.id, identity, undefined);
        await answer(feature, click, identity, clickAnswer(result, 'reject'));
        return;
      }
      await feature.views.views.open({
        trigger_id: body.trigger_id,
        view: checkedView(rejectModal(request)),
      });
    },
  );

  app.view(REQUEST_IDS.rejectCallbackId, async ({ ack, body, view }) => {
    const comment = textValue(parseViewState(view.state.values), REQUEST_IDS.rejectComment).trim();
    const [identity, request] = await Promise.all([
      identify(body.user.id, body.user.team_id ?? body.team?.id),
      REQUEST_ID.test(view.private_metadata) ? workflow.get(view.private_metadata) : undefined,
    ]);
    const refusal = request ? workflow.refusalFor(request, identity) : undefined;
    if (!request || refusal) {
      const message =
        request && refusal
          ? explainDecisionRefusal(refusal, request)
          : 'That request no longer exists.';
      await ack({
        response_action: 'errors',
        errors: { [REQUEST_IDS.rejectComment.block]: message },
      });
      return;
    }
    await ack();
    const result = await workflow.reject(request.id, identity, comment || undefined);
    const reply = clickAnswer(result, 'reject');
    if (reply && request.card) {
      await feature.messages.chat
        .postEphemeral({ channel: request.card.channel, user: body.user.id, ...reply })
        .catch((error: unknown) =>
          feature.logger.warn({ err: error }, 'could not answer a rejection'),
        );
    }
  });
}

/** Who may read a request in full: its requester, those who took part, approvers, admins. */
function mayRead(
  feature: RequestsFeature,
  request: AccessRequest,
  identity: Identity,
  slackUserId: string,
): boolean {
  if (request.requester.slackUserId === slackUserId) return true;
  if (!identity.mapped) return false;
  const took =
    request.approvals.some((approval) => approval.slackUserId === slackUserId) ||
    request.decision?.by.slackUserId === slackUserId;
  if (took || feature.isAdmin(identity)) return true;
  return (
    request.status === 'pending' && feature.workflow.refusalFor(request, identity) === undefined
  );
}

export function requestCommand(feature: RequestsFeature): SubCommand {
  const usage = '/vams request <id>';
  return {
    name: 'request',
    usage,
    summary: 'one request in full, with its audit trail',
    run: async (invocation) => {
      const [raw, ...extra] = invocation.args;
      const id = raw?.toUpperCase();
      if (!id || extra.length > 0 || !REQUEST_ID.test(id)) {
        await invocation.ack(
          usageErrorMessage(
            'Name one request id, such as R7K2M9QXA (see `/vams requests`).',
            usage,
          ),
        );
        return;
      }
      await invocation.ack();
      const [identity, request] = await Promise.all([
        feature.identify(invocation.slackUserId, invocation.teamId),
        feature.workflow.get(id),
      ]);
      // One answer for "no such request" and "not yours to read": ids are not to be probed.
      if (!request || !mayRead(feature, request, identity, invocation.slackUserId)) {
        await invocation.reply(
          say(
            `There is no request ${id} that you may read. Its requester, its approvers and admins can; \`/vams requests\` lists yours.`,
          ),
        );
        return;
      }
      await invocation.reply(requestDetailMessage(request, await feature.events(id)));
    },
  };
}
