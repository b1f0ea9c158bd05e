import type { ModalView } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import type { RolePolicy } from '../auth/roles';
import type { CognitoAdmin } from '../gateways/cognito-admin.gateway';
import { EXTERNAL_IDP_TEXT } from '../kinds/kind';
import type { AppLogger } from '../logging';
import type { DirectMessages } from '../slack/slack-notifier';
import { slackErrorCode } from '../slack/slack-people';
import { VAMS_USER_ID } from '../vams/vams-format';
import { usageErrorMessage } from '../views/help.view';
import { checkedView } from '../views/outgoing';
import { REASON_IDS } from '../views/reason.view';
import { noticeModal } from '../views/user-create.view';
import type { Workflow } from '../workflow/workflow';
import type { Identify } from './identity.commands';
import type { Invocation } from './sub-command';

/** What every command that files a request through a dialog works with. */
export interface RequestFeature {
  identify: Identify;
  workflow: Workflow;
  policy: RolePolicy;
  views: WebClient;
  dms: DirectMessages;
  logger: AppLogger;
}

/** A request about Cognito users: the pool is undefined when users live in an external IdP. */
export interface UserRequestFeature extends RequestFeature {
  cognito: CognitoAdmin | undefined;
}

/** A dialog submission answered by turning the dialog into a notice: nothing was filed. */
export function noticeAck(title: string, text: string) {
  return { response_action: 'update' as const, view: checkedView(noticeModal(title, text)) };
}

/** A dialog submission answered with an error under its `Reason` field. */
export function reasonErrorAck(message: string) {
  return { response_action: 'errors' as const, errors: { [REASON_IDS.reason.block]: message } };
}

/** A dialog submission answered with errors under the fields they are about. */
export function fieldErrorsAck<F extends string>(
  errors: Partial<Record<F, string>>,
  blocks: { readonly [K in NoInfer<F>]: { readonly block: string } },
) {
  const byBlock: Record<string, string> = {};
  for (const [field, message] of Object.entries(errors) as [F, string | undefined][]) {
    if (message) byBlock[blocks[field].block] = message;
  }
  return { response_action: 'errors' as const, errors: byBlock };
}

export { EXTERNAL_IDP_TEXT };

/**
 * For `/vams user <verb> <userId>`: the one User ID, or undefined after answering why not
 * (a usage error, or users living in an external identity provider).
 */
export async function oneUserId(
  invocation: Invocation,
  usage: string,
  poolConfigured: boolean,
): Promise<string | undefined> {
  const [userId, ...extra] = invocation.args;
  if (!userId || extra.length > 0 || !VAMS_USER_ID.test(userId)) {
    await invocation.ack(usageErrorMessage('Name one VAMS user ID.', usage));
    return undefined;
  }
  if (!poolConfigured) {
    await invocation.ack({ text: EXTERNAL_IDP_TEXT, blocks: [] });
    return undefined;
  }
  return userId;
}

/**
 * A trigger lives 3 s, so the dialog opens first and what it needs is read after. `check`
 * answers undefined (the dialog stays as opened), a text (the dialog becomes a notice saying why
 * nothing can be asked) or a view (it replaces the dialog: a loading dialog by the filled form).
 * If `check` fails, the dialog says so rather than staying as it was, and the error goes on.
 */
export async function openThenCheck(
  { views, logger }: { views: WebClient; logger: AppLogger },
  triggerId: string,
  view: ModalView,
  check: () => Promise<string | ModalView | undefined>,
): Promise<void> {
  const opened = await views.views.open({ trigger_id: triggerId, view: checkedView(view) });
  const viewId = opened.view?.id;
  let next: string | ModalView | undefined;
  try {
    next = await check();
  } catch (error) {
    if (viewId) {
      const text = 'Something went wrong on our side (it is logged). Close this and try again.';
      await views.views
        .update({ view_id: viewId, view: checkedView(noticeModal(view.title.text, text)) })
        .catch((updateError: unknown) =>
          logger.warn({ err: updateError }, 'could not replace a dialog after a failed check'),
        );
    }
    throw error;
  }
  if (next === undefined || !viewId) return;
  const replacement = typeof next === 'string' ? noticeModal(view.title.text, next) : next;
  try {
    // With the hash, Slack refuses to overwrite a dialog that changed since it was opened.
    await views.views.update({
      view_id: viewId,
      ...(opened.view?.hash ? { hash: opened.view.hash } : {}),
      view: checkedView(replacement),
    });
  } catch (error) {
    if (slackErrorCode(error) !== 'hash_conflict') throw error;
    logger.info({ viewId }, 'the dialog changed while loading; left as it is');
  }
}
