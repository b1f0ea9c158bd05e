import type { App, BlockAction, ButtonAction, RespondFn } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { AppLogger } from '../logging';
import { parseViewState, textValue } from '../slack/view-state';
import type { MessageBody } from '../views/message';
import { checkedView } from '../views/outgoing';
import { REQUEST_IDS, rejectModal } from '../views/request-card.view';
import { explainDecisionRefusal } from '../views/request-thread.view';
import { requestsListMessage } from '../views/requests-list.view';
import type { ClickResult, Workflow } from '../workflow/workflow';
import type { Identify } from './identity.commands';
import type { SubCommand } from './sub-command';

export interface RequestsFeature {
  identify: Identify;
  workflow: Workflow;
  views: WebClient;
  messages: WebClient;
  logger: AppLogger;
  /** Why approving this request must be refused now, beyond who clicks (a kind's own rule). */
  approvalProblem?(requestId: string): Promise<string | undefined>;
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

async function answer(
  respond: RespondFn,
  body: MessageBody | undefined,
  logger: AppLogger,
): Promise<void> {
  if (!body) return;
  await respond({ response_type: 'ephemeral', replace_original: false, ...body }).catch(
    (error: unknown) => logger.warn({ err: error }, 'could not answer a click'),
  );
}

export function requestsCommand(feature: RequestsFeature): SubCommand {
  return {
    name: 'requests',
    usage: '/vams requests',
    summary: 'pending requests you can decide, and your own open requests',
    run: async (invocation) => {
      await invocation.ack();
      const identity = await feature.identify(invocation.slackUserId, invocation.teamId);
      const open = await feature.workflow.open();
      const decidable = identity.mapped
        ? open.filter((request) => feature.workflow.refusalFor(request, identity) === undefined)
        : [];
      const own = open.filter(
        (request) => request.requester.slackUserId === invocation.slackUserId,
      );
      await invocation.reply(requestsListMessage(decidable, own));
    },
  };
}

export function registerRequestsFeature(app: App, feature: RequestsFeature): void {
  const { workflow, identify, logger } = feature;

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
      const [identity, problem] = await Promise.all([
        identify(body.user.id, body.user.team_id ?? body.team?.id),
        name === 'approve' ? feature.approvalProblem?.(action.value ?? '') : undefined,
      ]);
      if (problem) {
        await answer(respond, say(`Not approved: ${problem}.`), logger);
        return;
      }
      const result = await workflow.decide(name, action.value ?? '', identity);
      await answer(respond, clickAnswer(result, name), logger);
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
        workflow.get(action.value ?? ''),
      ]);
      if (!request) {
        await answer(respond, clickAnswer({ outcome: 'not-found' }, 'reject'), logger);
        return;
      }
      const refusal = workflow.refusalFor(request, identity);
      if (refusal) {
        await answer(
          respond,
          clickAnswer(await workflow.reject(request.id, identity, undefined), 'reject'),
          logger,
        );
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
      workflow.get(view.private_metadata),
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
        .catch((error: unknown) => logger.warn({ err: error }, 'could not answer a rejection'));
    }
  });
}
