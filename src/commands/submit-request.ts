import type { AppLogger } from '../logging';
import type { DirectMessages } from '../slack/slack-notifier';
import { code } from '../views/mrkdwn';
import { kindInSentence } from '../views/request-card.view';
import type { RolesJustRead } from '../workflow/runner';
import type { RequestDraft, Workflow } from '../workflow/workflow';

/** Tells the requester their request was not filed: the dialog is gone, nothing may stay silent. */
export async function tellNotFiled(
  dms: DirectMessages,
  logger: AppLogger,
  draft: Pick<RequestDraft, 'kind' | 'subject' | 'requester'>,
  error: unknown,
): Promise<void> {
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

interface Filing {
  workflow: Workflow;
  dms: DirectMessages;
  logger: AppLogger;
}

/**
 * Files a request after its dialog closed; if filing fails, the requester hears it by DM. The
 * dialog's view id keys the filing: the same submission delivered again files nothing more.
 */
export async function submitRequest(
  { workflow, dms, logger }: Filing,
  dialog: { id: string },
  draft: RequestDraft,
  justRead?: RolesJustRead,
): Promise<void> {
  try {
    await workflow.submit(draft, dialog.id, justRead);
  } catch (error) {
    await tellNotFiled(dms, logger, draft, error);
  }
}
