import { App, AwsLambdaReceiver, LogLevel } from '@slack/bolt';
import type { Config } from '../config';
import type { AppLogger } from '../logging';
import { slackLoggerFor } from './slack-logger';
import {
  appOptions,
  createClients,
  EVENTS_PATH,
  HEALTH_PATH,
  identifyBot,
  type SlackClients,
  type SlackRuntime,
  screenSlackRequest,
} from './slack-runtime';

/** A Lambda Function URL or API Gateway HTTP API (payload 2.0) request, or REST API (1.0). */
export interface LambdaHttpEvent {
  headers?: Record<string, string | undefined> | null;
  body?: string | null;
  isBase64Encoded?: boolean;
  rawPath?: string;
  path?: string;
  httpMethod?: string;
  requestContext?: { http?: { method?: string } };
}

export interface LambdaHttpResult {
  statusCode: number;
  headers?: Record<string, string>;
  body: string;
}

export interface LambdaSlackRuntime extends SlackRuntime {
  /** Answers one HTTP request; never throws. */
  handle(event: LambdaHttpEvent): Promise<LambdaHttpResult>;
}

// Slack sends at most a few kB; API Gateway's own cap is 10 MB. Anything larger is not Slack.
const BODY_LIMIT_BYTES = 1_000_000;

const bare = (statusCode: number): LambdaHttpResult => ({ statusCode, body: '' });

function lowerCased(headers: LambdaHttpEvent['headers']): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (typeof value === 'string') result[name.toLowerCase()] = value;
  }
  return result;
}

function pathOf(event: LambdaHttpEvent): string {
  return event.rawPath ?? event.path ?? '/';
}

function methodOf(event: LambdaHttpEvent): string {
  return (event.requestContext?.http?.method ?? event.httpMethod ?? '').toUpperCase();
}

/**
 * Bolt behind Lambda. Its receiver answers only once every listener has finished, so listeners
 * must stay short: decisions are recorded and a worker runs them. Before Bolt, each request
 * meets the same checks as on a server; Bolt's receiver would decode a base64 body as ASCII
 * (breaking the signature of any non-ASCII text), parse the body before checking its signature,
 * and throw on a body it cannot parse.
 */
export async function createLambdaSlackRuntime(
  config: Config,
  logger: AppLogger,
  clients: SlackClients = createClients(config, logger),
): Promise<LambdaSlackRuntime> {
  const bot = await identifyBot(clients.messages, config);
  const signingSecret = config.slack.signingSecret ?? '';
  const receiver = new AwsLambdaReceiver({
    signingSecret,
    logger: slackLoggerFor(logger, 'bolt', LogLevel.INFO),
  });
  const app = new App({ ...appOptions(config, logger, bot), receiver });
  const boltHandler = receiver.toHandler();
  const serve = async (event: LambdaHttpEvent): Promise<LambdaHttpResult> => {
    const path = pathOf(event);
    const method = methodOf(event);
    if (path === HEALTH_PATH && (method === 'GET' || method === 'HEAD')) {
      return {
        statusCode: 200,
        headers: { 'content-type': 'application/json' },
        body: '{"ok":true}',
      };
    }
    if (path !== EVENTS_PATH) return bare(404);
    if (method !== 'POST') return { statusCode: 405, headers: { allow: 'POST' }, body: '' };
    const raw = event.body ?? '';
    const body = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
    if (Buffer.byteLength(body) > BODY_LIMIT_BYTES) return bare(413);
    const headers = lowerCased(event.headers);
    // Bolt's parser recognises a form only by the bare type.
    const contentType = headers['content-type']?.split(';')[0]?.trim();
    const screening = screenSlackRequest(
      {
        timestamp: headers['x-slack-request-timestamp'],
        signature: headers['x-slack-signature'],
        contentType,
        retryNum: headers['x-slack-retry-num'],
        body,
      },
      signingSecret,
      Date.now(),
      logger,
    );
    if (screening.verdict === 'answer') return bare(screening.status);
    // Bolt reads only the headers and the body, whichever payload version API Gateway sent.
    const answer = await boltHandler(
      {
        version: '2.0',
        routeKey: '$default',
        rawPath: path,
        rawQueryString: '',
        headers: { ...headers, 'content-type': contentType ?? '' },
        body,
        isBase64Encoded: false,
        requestContext: {},
      },
      {},
    );
    return {
      statusCode: answer.statusCode,
      body: typeof answer.body === 'string' ? answer.body : '',
      ...(answer.headers ? { headers: stringHeaders(answer.headers) } : {}),
    };
  };
  return {
    app,
    clients,
    homeTeamId: config.slack.teamId ?? bot.team_id,
    start: async () => 0,
    stop: async () => undefined,
    handle: async (event) => {
      try {
        return await serve(event);
      } catch (error) {
        logger.error({ err: error, path: pathOf(event) }, 'a Lambda HTTP request failed');
        return bare(500);
      }
    },
  };
}

function stringHeaders(headers: Record<string, unknown>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      result[name] = String(value);
    }
  }
  return result;
}
