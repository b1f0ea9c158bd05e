import type { DeserializeMiddleware, MiddlewareStack } from '@smithy/types';

let installed = 0;

/**
 * The next `times` calls of `commandName` reach the service and are carried out, but their first
 * answer never arrives: as through a proxy that drops responses. The SDK then retries, as it does
 * after a timeout, and the retry meets what the first attempt did.
 */
export function loseAnswers<Input extends object, Output extends object>(
  client: { middlewareStack: MiddlewareStack<Input, Output> },
  commandName: string,
  times = 1,
): void {
  let left = times;
  // One context per call, shared by its retries: each call loses one answer at most.
  const lost = new WeakSet<object>();
  const losing: DeserializeMiddleware<Input, Output> = (next, context) => async (args) => {
    const answer = await next(args);
    if (context.commandName !== commandName || left === 0 || lost.has(context)) return answer;
    left -= 1;
    lost.add(context);
    throw Object.assign(new Error('the answer was lost on the way'), {
      name: 'TimeoutError',
      $metadata: {},
    });
  };
  installed += 1;
  client.middlewareStack.add(losing, { step: 'deserialize', name: `lose-answers-${installed}` });
}
