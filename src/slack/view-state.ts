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
