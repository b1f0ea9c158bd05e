import type { WebClient } from '@slack/web-api';
import type { InitializeMiddleware, MiddlewareStack } from '@smithy/types';
import { z } from 'zod';
import type { Metrics } from '../domain/metrics';

// A label is a series: an unexpected long value must not become an unbounded one.
const MAX_LABEL = 64;
const label = (value: string | undefined) => (value ? value.slice(0, MAX_LABEL) : 'unknown');

const namedError = z.object({ name: z.string() });

/**
 * Counts every AWS call that ends in an error as `awsErrors`, by the client's service, the
 * operation and the error's name. In the `initialize` step it wraps the SDK's retries, so a
 * call retried into success counts nothing and one that fails counts once. A
 * DynamoDBDocumentClient shares its client's stack: counting the client counts both.
 */
export function countAwsErrors<Input extends object, Output extends object>(
  client: { middlewareStack: MiddlewareStack<Input, Output>; config: { serviceId?: string } },
  metrics: Metrics,
): void {
  const service = label(client.config.serviceId);
  const counting: InitializeMiddleware<Input, Output> = (next, context) => async (args) => {
    try {
      return await next(args);
    } catch (error) {
      const name = namedError.safeParse(error);
      metrics.record([
        {
          metric: 'awsErrors',
          service,
          operation: label(context.commandName?.replace(/Command$/, '')),
          code: label(name.success ? name.data.name : undefined),
        },
      ]);
      throw error;
    }
  };
  // `override`: wiring a client twice still counts each error once.
  client.middlewareStack.add(counting, {
    step: 'initialize',
    name: 'countAwsErrors',
    override: true,
  });
}

const slackError = z.object({
  code: z.string().optional(),
  data: z.object({ error: z.string().optional() }).optional(),
});

/** Slack's own error code for a platform error (`channel_not_found`), else the client's. */
export function slackErrorCode(error: unknown): string {
  const parsed = slackError.safeParse(error);
  return label(parsed.success ? (parsed.data.data?.error ?? parsed.data.code) : undefined);
}

type ApiCall = WebClient['apiCall'];

const isPlainObject = (value: unknown): value is object =>
  typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;

/**
 * Points the client's method tree (`chat.postMessage`, …) at `call`. WebClient binds each of
 * them to `apiCall` when it is built, so replacing `apiCall` afterwards reaches none of them;
 * they are the functions bound to it, and their path is the Web API method's name.
 */
function rebind(node: object, path: readonly string[], call: ApiCall, seen: Set<object>): void {
  if (seen.has(node)) return;
  seen.add(node);
  const entries: [string, unknown][] = Object.entries(node);
  for (const [key, value] of entries) {
    if (typeof value === 'function' && value.name === 'bound apiCall' && path.length > 0) {
      const method = [...path, key].join('.');
      Reflect.set(node, key, (options?: Record<string, unknown>) => call(method, options));
    } else if (isPlainObject(value)) {
      rebind(value, [...path, key], call, seen);
    }
  }
}

/**
 * Counts every Slack Web API call that throws as `slackErrors`, by method and error code, and
 * rethrows it: `apiCall` and every method bound to it are wrapped. Calls the client retries
 * (rate limits, server errors) count only when they finally fail.
 */
export function countSlackErrors(client: WebClient, metrics: Metrics): void {
  const apiCall = client.apiCall.bind(client);
  const counted: ApiCall = async (method, options) => {
    try {
      return await apiCall(method, options);
    } catch (error) {
      metrics.record([
        { metric: 'slackErrors', method: label(method), code: slackErrorCode(error) },
      ]);
      throw error;
    }
  };
  client.apiCall = counted;
  rebind(client, [], counted, new Set());
}
