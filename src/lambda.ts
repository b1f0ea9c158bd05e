import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent, ScheduledEvent } from 'aws-lambda';
import type pino from 'pino';
import { readSlackSecret } from './aws/slack-secret';
import { type Backend, connectAws } from './backend/aws-backend';
import {
  type Bot,
  composeBot,
  createAuditedLogger,
  DEFAULT_TUNING,
  type Tuning,
} from './composition';
import { loadConfig } from './config';
import type { AppLogger } from './logging';
import { EmfMetrics } from './metrics/emf-metrics';
import {
  createLambdaSlackRuntime,
  type LambdaHttpEvent,
  type LambdaHttpResult,
  type LambdaSlackRuntime,
} from './slack/lambda-runtime';

/** What one Lambda container builds once and keeps for every invocation it serves. */
export interface LambdaBot {
  bot: Bot;
  backend: Backend;
  slack: LambdaSlackRuntime;
  logger: AppLogger;
  /** Called at the end of every invocation: nothing may stay buffered while Lambda freezes. */
  flush(): Promise<void>;
  stop(): Promise<void>;
}

export class LambdaConfigError extends Error {
  readonly code = 'lambda_config';
}

/**
 * Builds the bot for Lambda from the environment, the Slack credentials read from Secrets
 * Manager (`SLACK_SECRET_ARN`) when they are not in it. Decisions are recorded, never run by
 * the `http` function: the `worker`, fed by the bot table's stream, runs them.
 */
export async function bootLambdaBot(
  env: NodeJS.ProcessEnv,
  options: { tuning?: Partial<Tuning>; logDestination?: pino.DestinationStream } = {},
): Promise<LambdaBot> {
  const secretArn = env.SLACK_SECRET_ARN?.trim();
  const secret = secretArn
    ? await readSlackSecret(new SecretsManagerClient({}), secretArn)
    : undefined;
  const loaded = loadConfig({ ...env, ...secret });
  if (!loaded.ok) {
    throw new LambdaConfigError(
      `vams-chatops cannot start; fix the configuration: ${loaded.problems.join('; ')}`,
    );
  }
  const { config } = loaded;
  if (config.backend.kind !== 'aws') {
    throw new LambdaConfigError('on Lambda, BACKEND must be aws (with the VAMS tables and pool)');
  }
  if (config.slack.appToken) {
    throw new LambdaConfigError(
      'on Lambda, Slack reaches the bot over HTTP: unset SLACK_APP_TOKEN',
    );
  }
  const audited = createAuditedLogger(config, options.logDestination);
  const { logger, audit } = audited;
  const metrics = new EmfMetrics();
  const backend = await connectAws(config.backend, logger, { verify: false });
  try {
    const slack = await createLambdaSlackRuntime(config, logger);
    const tuning = { ...DEFAULT_TUNING, ...options.tuning };
    const bot = composeBot(config, logger, tuning, backend, slack, {
      runInProcess: false,
      metrics,
    });
    return {
      bot,
      backend,
      slack,
      logger,
      flush: async () => {
        // A checklist held back for its second goes out before the invocation ends.
        await bot.workflow.idle();
        metrics.publish();
        await audit?.flush();
        logger.flush();
      },
      stop: async () => {
        await bot.settle();
        await backend.stop();
      },
    };
  } catch (error) {
    await backend.stop();
    throw error;
  }
}

let booting: Promise<LambdaBot> | undefined;

/** One bot per container; a failed start is tried again by the next invocation. */
function container(): Promise<LambdaBot> {
  if (!booting) {
    booting = bootLambdaBot(process.env).catch((error: unknown) => {
      booting = undefined;
      throw error;
    });
  }
  return booting;
}

/** One invocation's work, then the flush: nothing may stay buffered while Lambda freezes. */
async function flushedAfter<T>(lambda: LambdaBot, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } finally {
    await lambda.flush();
  }
}

/** Every path through the Slack request URL; answers within Slack's 3 s, never executes. */
export function handleHttp(lambda: LambdaBot, event: LambdaHttpEvent): Promise<LambdaHttpResult> {
  return flushedAfter(lambda, () => lambda.slack.handle(event));
}

const REQUEST_ITEM_PREFIX = 'REQ#';

/** The ids of requests a stream batch shows becoming approved (filed and granted, or retried). */
export function approvedRequestIds(event: DynamoDBStreamEvent): { id: string; sequence: string }[] {
  const found: { id: string; sequence: string }[] = [];
  for (const record of event.Records ?? []) {
    if (record.eventName !== 'INSERT' && record.eventName !== 'MODIFY') continue;
    const image = record.dynamodb?.NewImage;
    const pk = image?.pk?.S;
    if (image?.entity?.S !== 'request' || image.status?.S !== 'approved') continue;
    if (!pk?.startsWith(REQUEST_ITEM_PREFIX)) continue;
    found.push({
      id: pk.slice(REQUEST_ITEM_PREFIX.length),
      sequence: record.dynamodb?.SequenceNumber ?? '',
    });
  }
  return found;
}

/**
 * Runs each approved request of the batch under the runner's lease: a record delivered twice,
 * or to two invocations at once, executes once. A request whose run could not even start is
 * reported back, so Lambda delivers that record again.
 */
export function handleStream(
  lambda: LambdaBot,
  event: DynamoDBStreamEvent,
): Promise<DynamoDBBatchResponse> {
  return flushedAfter(lambda, async () => {
    const failures = await Promise.all(
      approvedRequestIds(event).map(async ({ id, sequence }) => {
        try {
          await lambda.bot.workflow.execute(id);
          return [];
        } catch (error) {
          lambda.logger.error({ err: error, requestId: id }, 'could not run an approved request');
          return [{ itemIdentifier: sequence }];
        }
      }),
    );
    return { batchItemFailures: failures.flat() };
  });
}

// Key reminders are daily at most per key; looking once an hour is enough.
const KEY_REMINDER_MINUTE = 0;

/**
 * One minute's work, as the long-lived bot does it on its timers: expiry, reminders and
 * escalation, executions a dead run left, grant ends, and on the hour API key reminders.
 */
export function handleSchedule(
  lambda: LambdaBot,
  event: Pick<ScheduledEvent, 'time'>,
): Promise<void> {
  const at = new Date(event.time);
  const { sweeps } = lambda.bot;
  return flushedAfter(lambda, async () => {
    const results = await Promise.allSettled([
      sweeps.requests(),
      sweeps.grants(),
      Number.isNaN(at.getTime()) || at.getUTCMinutes() === KEY_REMINDER_MINUTE
        ? sweeps.keys()
        : Promise.resolve(undefined),
    ]);
    const failed = results.filter((result) => result.status === 'rejected');
    for (const failure of failed)
      lambda.logger.error({ err: failure.reason }, 'a scheduled sweep failed');
    if (failed.length > 0)
      throw new Error(`${failed.length} scheduled sweep(s) failed; see the log`);
  });
}

export const http = async (event: LambdaHttpEvent): Promise<LambdaHttpResult> =>
  handleHttp(await container(), event);

export const worker = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> =>
  handleStream(await container(), event);

export const schedule = async (event: ScheduledEvent): Promise<void> =>
  handleSchedule(await container(), event);
