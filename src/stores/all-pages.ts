type Page = { Items?: Record<string, unknown>[]; LastEvaluatedKey?: Record<string, unknown> };

/** Every item of a paginated Query or Scan, parsed at the boundary. */
export async function allPages<T>(
  read: (startKey: Record<string, unknown> | undefined) => Promise<Page>,
  parse: (item: Record<string, unknown>) => T,
): Promise<T[]> {
  const found: T[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await read(startKey);
    for (const item of page.Items ?? []) found.push(parse(item));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return found;
}
