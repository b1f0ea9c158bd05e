import type { ActionsBlock } from '@slack/types';

/** A button as a handler describes it; the view turns it into Block Kit. */
export interface ButtonSpec {
  text: string;
  actionId: string;
  /** Small and not secret: an id, never a token. */
  value: string;
  style?: 'primary' | 'danger';
}

export function actionsBlock(blockId: string, buttons: readonly ButtonSpec[]): ActionsBlock {
  return {
    type: 'actions',
    block_id: blockId,
    elements: buttons.map((button) => ({
      type: 'button',
      text: { type: 'plain_text', text: button.text },
      action_id: button.actionId,
      value: button.value,
      ...(button.style ? { style: button.style } : {}),
    })),
  };
}
