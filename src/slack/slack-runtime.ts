import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import {
  App,
  defaultBodyLimit,
  HTTPReceiver,
  isValidSlackRequest,
  LogLevel,
  SocketModeReceiver,
} from '@slack/bolt';
import { WebClient, type WebClientOptions } from '@slack/web-api';
import { z } from 'zod';
import type { Config } from '../config';
import type { AppLogger } from '../logging';
import { eventBodyKind, readBody, routeOf } from './event-requests';
import { slackLoggerFor } from './slack-logger';

export const EVENTS_PATH = '/slack/events';
export const HEALTH_PATH = '/healthz';
// Slack's window for signed requests, applied both ways: Bolt refuses only stale timestamps.
const SIGNATURE_WINDOW_SECONDS = 5 * 60;

export interface SlackClients {
  /** views.open/update only: never queued behind throttled posts, never retried past a trigger. */
  views: WebClient;
  /** Posting, DMs and look-ups. */
  messages: WebClient;
}

export interface SlackRuntime {
  app: App;
  clients: SlackClients;
  /** SLACK_TEAM_ID, else the bot's own workspace: anyone from elsewhere is refused. */
  homeTeamId: string;
  /** Starts serving; resolves to the port actually bound (PORT=0 picks a free one). */
  start(): Promise<number>;
  stop(): Promise<void>;
}

export class SlackStartupError extends Error {
  readonly code = 'slack_startup';
}

const authTestAnswer = z.object({
  team_id: z.string(),
  user_id: z.string(),
  bot_id: z.string().optional(),
});

function clientOptions(config: Config, logger: AppLogger): WebClientOptions {
  return {
    ...(config.slack.apiUrl ? { slackApiUrl: config.slack.apiUrl } : {}),
    timeout: 10_000,
    retryConfig: { retries: 2, factor: 2, minTimeout: 500, maxTimeout: 4000 },
    logger: slackLoggerFor(logger, 'web-api', LogLevel.INFO),
  };
}

export function createClients(config: Config, logger: AppLogger): SlackClients {
  const options = clientOptions(config, logger);
  return {
    messages: new WebClient(config.slack.botToken, options),
    views: new WebClient(config.slack.botToken, {
      ...options,
      timeout: 2500,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
    }),
  };
}

export async function identifyBot(client: WebClient, config: Config) {
  try {
    return authTestAnswer.parse(await client.auth.test());
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new SlackStartupError(
      `Slack did not accept SLACK_BOT_TOKEN (auth.test at ${config.slack.apiUrl ?? 'https://slack.com/api/'}): ${reason}`,
    );
  }
}

/** What the bot answers without Bolt, or `serve`: handed to Bolt. */
export type Screening = { verdict: 'serve' } | { verdict: 'answer'; status: 200 | 400 | 401 };

/**
 * Every check a request meets before Bolt sees it, the same behind a server or Lambda: a fresh
 * timestamp both ways, a valid signature, a body Bolt can read. A delivery Slack retries (the
 * Events API does, when an answer was slow) is acknowledged and not handled again: the first
 * delivery is still being, or was, handled.
 */
export function screenSlackRequest(
  request: {
    timestamp: string | undefined;
    signature: string | undefined;
    contentType: string | undefined;
    retryNum: string | undefined;
    body: string;
  },
  signingSecret: string,
  nowMs: number,
  logger: AppLogger,
): Screening {
  if (!isWithinSignatureWindow(request.timestamp, nowMs)) return { verdict: 'answer', status: 401 };
  const signed = isValidSlackRequest({
    signingSecret,
    body: request.body,
    headers: {
      'x-slack-signature': request.signature ?? '',
      'x-slack-request-timestamp': Number(request.timestamp),
    },
  });
  if (!signed) return { verdict: 'answer', status: 401 };
  const kind = eventBodyKind(request.contentType, request.body);
  if (kind === 'malformed') return { verdict: 'answer', status: 400 };
  if (kind === 'unserved') {
    logger.warn('acknowledged an interaction the bot does not serve');
    return { verdict: 'answer', status: 200 };
  }
  if (request.retryNum !== undefined) {
    logger.info({ retryNum: request.retryNum }, 'acknowledged a delivery Slack retried');
    return { verdict: 'answer', status: 200 };
  }
  return { verdict: 'serve' };
}

export function isWithinSignatureWindow(
  timestampHeader: string | undefined,
  nowMs: number,
): boolean {
  if (!timestampHeader || !/^\d+$/.test(timestampHeader)) return false;
  return Math.abs(nowMs / 1000 - Number(timestampHeader)) <= SIGNATURE_WINDOW_SECONDS;
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** A status and nothing to read: what every request the bot does not serve gets. */
function answerBare(
  response: ServerResponse,
  status: number,
  headers: Record<string, string> = {},
): void {
  if (response.headersSent) {
    response.end();
    return;
  }
  response.writeHead(status, { 'content-length': '0', ...headers }).end();
}

const healthRoute = {
  path: HEALTH_PATH,
  method: ['GET'],
  handler: (_request: IncomingMessage, response: ServerResponse) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end('{"ok":true}');
  },
};

/** What every Bolt app of the bot is built with, whichever receiver it has. */
export function appOptions(
  config: Config,
  logger: AppLogger,
  bot: { bot_id?: string | undefined; user_id: string },
) {
  return {
    token: config.slack.botToken,
    botId: bot.bot_id,
    botUserId: bot.user_id,
    // auth.test already ran above, with a readable failure.
    tokenVerificationEnabled: false,
    // Bolt's default conversation store keeps state per conversation in memory forever.
    convoStore: false as const,
    logger: slackLoggerFor(logger, 'bolt', LogLevel.INFO),
    clientOptions: clientOptions(config, logger),
  };
}

/** The Prometheus text served at `GET /metrics`, when the server has metrics. */
export interface MetricsText {
  contentType: string;
  render(): Promise<string>;
}

export async function createSlackRuntime(
  config: Config,
  logger: AppLogger,
  metrics?: MetricsText,
): Promise<SlackRuntime> {
  const clients = createClients(config, logger);
  const bot = await identifyBot(clients.messages, config);
  const boltLogger = slackLoggerFor(logger, 'bolt', LogLevel.INFO);
  const common = appOptions(config, logger, bot);
  const homeTeamId = config.slack.teamId ?? bot.team_id;

  if (config.slack.appToken) {
    const receiver = new SocketModeReceiver({
      appToken: config.slack.appToken,
      customRoutes: [healthRoute],
      installerOptions: { port: config.port },
      logger: boltLogger,
    });
    const app = new App({ ...common, receiver });
    return {
      app,
      clients,
      homeTeamId,
      start: async () => {
        await app.start();
        return config.port;
      },
      stop: () => app.stop().then(() => undefined),
    };
  }

  const receiver = new HTTPReceiver({
    signingSecret: config.slack.signingSecret ?? '',
    endpoints: EVENTS_PATH,
    logger: boltLogger,
    processBeforeResponse: false,
  });
  const app = new App({ ...common, receiver });
  let server: Server | undefined;
  return {
    app,
    clients,
    homeTeamId,
    start: async () => {
      const signingSecret = config.slack.signingSecret ?? '';
      // Bolt's request listener throws for what it does not serve and assumes the body is an
      // object: the route and the body are checked here first, and nothing it throws escapes.
      const serveEvents = async (request: IncomingMessage, response: ServerResponse) => {
        const timestamp = header(request, 'x-slack-request-timestamp');
        if (!isWithinSignatureWindow(timestamp, Date.now())) {
          answerBare(response, 401);
          return;
        }
        const rawBody = await readBody(request, defaultBodyLimit);
        if (!rawBody) {
          answerBare(response, 413, { connection: 'close' });
          return;
        }
        const screening = screenSlackRequest(
          {
            timestamp,
            signature: header(request, 'x-slack-signature'),
            contentType: header(request, 'content-type'),
            retryNum: header(request, 'x-slack-retry-num'),
            body: rawBody.toString('utf8'),
          },
          signingSecret,
          Date.now(),
          logger,
        );
        if (screening.verdict === 'answer') {
          answerBare(response, screening.status);
          return;
        }
        // Bolt reads a body already read from `rawBody`, and verifies the signature again.
        receiver.requestListener(Object.assign(request, { rawBody }), response);
      };
      const serve = async (request: IncomingMessage, response: ServerResponse) => {
        const route = routeOf(request.method, request.url);
        if (route.kind === 'health') {
          healthRoute.handler(request, response);
        } else if (route.kind === 'metrics') {
          if (!metrics) {
            answerBare(response, 404);
            return;
          }
          const text = await metrics.render();
          response.writeHead(200, { 'content-type': metrics.contentType });
          response.end(text);
        } else if (route.kind === 'events') {
          await serveEvents(request, response);
        } else {
          answerBare(response, route.status, route.status === 405 ? { allow: route.allow } : {});
        }
      };
      server = createServer((request, response) => {
        serve(request, response).catch((error: unknown) => {
          logger.error({ err: error, method: request.method }, 'an HTTP request failed');
          answerBare(response, 500);
        });
      });
      const listening = server;
      await new Promise<void>((resolve, reject) => {
        listening.once('error', reject);
        listening.listen(config.port, () => resolve());
      });
      const address = listening.address();
      return typeof address === 'object' && address ? address.port : config.port;
    },
    stop: async () => {
      const listening = server;
      if (!listening) return;
      await new Promise<void>((resolve) => {
        listening.close(() => resolve());
        listening.closeAllConnections();
      });
    },
  };
}
