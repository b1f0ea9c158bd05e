import { z } from 'zod';

const selected = z.object({ value: z.string() });
const element = z.object({
  value: z.string().nullish(),
  selected_option: selected.nullish(),
  selected_options: z.array(selected).nullish(),
  selected_date: z.string().nullish(),
});
const stateValues = z.record(z.string(), z.record(z.string(), element));

export type ViewStateValues = z.infer<typeof stateValues>;

/** Where an input sits in a view, and for a text input the longest value it takes. */
export interface InputIds {
  readonly block: string;
  readonly action: string;
  /** The `max_length` the dialog shows, enforced again here: Slack's client is not a boundary. */
  readonly maxLength?: number;
}

/**
 * A submitted text longer than its input allows. Thrown while a submission is read, before it is
 * acknowledged; the submission guard answers it with a field error, so nothing is filed.
 */
export class InputTooLongError extends Error {
  readonly code = 'input_too_long';

  constructor(
    readonly blockId: string,
    readonly maxLength: number,
    readonly length: number,
  ) {
    super(`At most ${maxLength} characters (this is ${length}).`);
    this.name = 'InputTooLongError';
  }
}

export function parseViewState(values: unknown): ViewStateValues {
  return stateValues.parse(values);
}

export function textValue(values: ViewStateValues, ids: InputIds): string {
  const entry = values[ids.block]?.[ids.action];
  const text = entry?.value ?? entry?.selected_option?.value ?? entry?.selected_date ?? '';
  if (ids.maxLength !== undefined) {
    // Slack counts characters, not UTF-16 units: an emoji is one.
    const length = [...text].length;
    if (length > ids.maxLength) throw new InputTooLongError(ids.block, ids.maxLength, length);
  }
  return text;
}

export function selectedValues(values: ViewStateValues, ids: InputIds): string[] {
  return (values[ids.block]?.[ids.action]?.selected_options ?? []).map((option) => option.value);
}

const shownInput = z.object({
  block_id: z.string(),
  element: z.object({ initial_value: z.string() }),
});

/** What a text input was filled with: Slack sends the view, blocks and all, with a submission. */
export function initialValue(blocks: unknown, ids: { block: string }): string | undefined {
  const all = Array.isArray(blocks) ? blocks : [];
  for (const block of all) {
    const parsed = shownInput.safeParse(block);
    if (parsed.success && parsed.data.block_id === ids.block)
      return parsed.data.element.initial_value;
  }
  return undefined;
}
