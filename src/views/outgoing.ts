import { assertValidMessage, assertValidView } from './block-kit-limits';
import type { MessageBody } from './message';

/** Every message leaves through here: a Block Kit limit broken is a bug caught before Slack. */
export function checkedMessage<T extends MessageBody>(message: T): T {
  assertValidMessage(message);
  return message;
}

export function checkedView<T>(view: T): T {
  assertValidView(view);
  return view;
}
