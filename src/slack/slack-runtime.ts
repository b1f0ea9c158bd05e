import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { App, HTTPReceiver, LogLevel, SocketModeReceiver } from '@slack/bolt';
import { WebClient, type WebClientOptions } from '@slack/web-api';
import { z } from 'zod';
import type { Config } from '../config';
import { type AppLogger, slackLoggerFor } from '../logging';

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

function createClients(config: Config, logger: AppLogger): SlackClients {
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

async function identifyBot(client: WebClient, config: Config) {
  try {
    return authTestAnswer.parse(await client.auth.test());
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new SlackStartupError(
      `Slack did not accept SLACK_BOT_TOKEN (auth.test at ${config.slack.apiUrl ?? 'https://slack.com/api/'}): ${reason}`,
    );
  }
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

const healthRoute = {
  path: HEALTH_PATH,
  method: ['GET'],
  handler: (_request: IncomingMessage, response: ServerResponse) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end('{"ok":true}');
  },
};

export async function createSlackRuntime(config: Config, logger: AppLogger): Promise<SlackRuntime> {
  const clients = createClients(config, logger);
  const bot = await identifyBot(clients.messages, config);
  const boltLogger = slackLoggerFor(logger, 'bolt', LogLevel.INFO);
  const common = {
    token: config.slack.botToken,
    botId: bot.bot_id,
    botUserId: bot.user_id,
    // auth.test already ran above, with a readable failure.
    tokenVerificationEnabled: false,
    // Bolt's default conversation store keeps state per conversation in memory forever.
    convoStore: false as const,
    logger: boltLogger,
    clientOptions: clientOptions(config, logger),
  };
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
    customRoutes: [healthRoute],
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
      server = createServer((request, response) => {
        const signed = request.method === 'POST' && request.url?.startsWith(EVENTS_PATH);
        if (
          signed &&
          !isWithinSignatureWindow(header(request, 'x-slack-request-timestamp'), Date.now())
        ) {
          response.writeHead(401).end();
          return;
        }
        receiver.requestListener(request, response);
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
