import type { AppLogger } from '../logging';
import type { DirectMessages } from '../slack/slack-notifier';
import { code } from '../views/mrkdwn';
import { kindInSentence } from '../views/request-card.view';
import type { Draft, Workflow } from '../workflow/workflow';

/**
 * Files a request after its dialog closed. If filing fails, the requester hears it by DM:
 * the dialog is gone, and nothing half-done may stay silent.
 */
export async function submitRequest(
  workflow: Workflow,
  dms: DirectMessages,
  logger: AppLogger,
  draft: Draft,
): Promise<void> {
  try {
    await workflow.submit(draft);
  } catch (error) {
    logger.error(
      { err: error, kind: draft.kind, slackUserId: draft.requester.slackUserId },
      'could not file a request',
    );
    const text = `Your ${kindInSentence(draft.kind)} request for ${code(draft.subject)} could not be filed, so nothing will happen. Please try again.`;
    await dms
      .send(draft.requester.slackUserId, { text, blocks: [] })
      .catch((notifyError: unknown) =>
        logger.error({ err: notifyError }, 'could not tell the requester'),
      );
  }
}
