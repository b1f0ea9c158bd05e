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

export function parseViewState(values: unknown): ViewStateValues {
  return stateValues.parse(values);
}

export function textValue(values: ViewStateValues, ids: { block: string; action: string }): string {
  const entry = values[ids.block]?.[ids.action];
  return entry?.value ?? entry?.selected_option?.value ?? entry?.selected_date ?? '';
}

export function selectedValues(
  values: ViewStateValues,
  ids: { block: string; action: string },
): string[] {
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
