import type { DeserializeMiddleware, MiddlewareStack } from '@smithy/types';

/**
 * The next `times` calls of `commandName` reach the service and are carried out, but their
 * answers never arrive: as through a proxy that drops responses. The SDK then retries, as it
 * does after a timeout, and the retry meets what the first call did.
 */
export function loseAnswers<Input extends object, Output extends object>(
  client: { middlewareStack: MiddlewareStack<Input, Output> },
  commandName: string,
  times = 1,
): void {
  let left = times;
  const losing: DeserializeMiddleware<Input, Output> = (next, context) => async (args) => {
    const answer = await next(args);
    if (context.commandName !== commandName || left === 0) return answer;
    left -= 1;
    throw Object.assign(new Error('the answer was lost on the way'), {
      name: 'TimeoutError',
      $metadata: {},
    });
  };
  client.middlewareStack.add(losing, { step: 'deserialize', name: `lose-${commandName}` });
}
