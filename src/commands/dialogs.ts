import type { ModalView } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import { VAMS_USER_ID } from '../vams/vams-format';
import { usageErrorMessage } from '../views/help.view';
import { checkedView } from '../views/outgoing';
import { noticeModal } from '../views/user-create.view';
import type { Invocation } from './sub-command';

export const EXTERNAL_IDP_TEXT =
  'Users of this VAMS deployment are managed in its identity provider, not in a Cognito user pool, so vams-chatops cannot create or change them. Roles and API keys still work here.';

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
 * A trigger lives 3 s, so the dialog opens first and the person is checked after; if they may
 * not ask, the dialog turns into a notice saying why.
 */
export async function openThenCheck(
  views: WebClient,
  triggerId: string,
  view: ModalView,
  check: () => Promise<string | undefined>,
): Promise<void> {
  const opened = await views.views.open({ trigger_id: triggerId, view: checkedView(view) });
  const problem = await check();
  const viewId = opened.view?.id;
  if (problem && viewId) {
    await views.views.update({
      view_id: viewId,
      view: checkedView(noticeModal(view.title.text, problem)),
    });
  }
}
