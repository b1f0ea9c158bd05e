import { randomUUID } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';

const tableInput = z.object({ TableName: z.string() });

/**
 * Holds every Scan of one table until `size` of them wait (or `maxWaitMs` has passed since the
 * first), then sends them together: readers that would otherwise interleave with each other's
 * writes all read the same state first, as in the worst moment of a race. Works across several
 * clients (several instances), so the race does not depend on timing luck.
 */
export function gatherScans(
  clients: DynamoDBDocumentClient[],
  tableName: string,
  size: number,
  maxWaitMs: number,
): { gathered(): number; remove(): void } {
  const name = `gather-scans-${randomUUID()}`;
  let waiting: (() => void)[] = [];
  let timer: NodeJS.Timeout | undefined;
  let gathered = 0;
  const release = () => {
    clearTimeout(timer);
    timer = undefined;
    const batch = waiting;
    waiting = [];
    for (const go of batch) go();
  };
  const arrive = () =>
    new Promise<void>((resolve) => {
      gathered += 1;
      waiting.push(resolve);
      if (waiting.length >= size) release();
      else if (waiting.length === 1) timer = setTimeout(release, maxWaitMs);
    });
  for (const client of clients) {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const input = tableInput.safeParse(args.input);
        if (context.commandName === 'ScanCommand' && input.data?.TableName === tableName)
          await arrive();
        return next(args);
      },
      { step: 'initialize', name },
    );
  }
  return {
    gathered: () => gathered,
    remove: () => {
      for (const client of clients) client.middlewareStack.remove(name);
      release();
    },
  };
}
