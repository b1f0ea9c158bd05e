import { App, HTTPReceiver, LogLevel } from '@slack/bolt';

export interface BareBoltApp {
  port: number;
  stop(): Promise<void>;
}

export interface BareBoltOptions {
  signingSecret: string;
  slackApiUrl: string;
  /** The bot's events path, passed in so that nothing of the bot is loaded here. */
  eventsPath: string;
  /** 0 for any free port. */
  port: number;
}

/**
 * The reference point of the ack budget: Bolt's own HTTPReceiver and server with defaults, and a
 * `/vams` listener and one for any click or dialog submission, each of which only acks. Nothing
 * of the bot is loaded into it.
 */
export async function startBareBoltApp(options: BareBoltOptions): Promise<BareBoltApp> {
  const receiver = new HTTPReceiver({
    signingSecret: options.signingSecret,
    endpoints: options.eventsPath,
    processBeforeResponse: false,
    logLevel: LogLevel.ERROR,
  });
  const app = new App({
    token: 'xoxb-bare-bolt',
    receiver,
    // Without both ids Bolt calls auth.test on every event; the bot passes them too.
    botId: 'B0BARE',
    botUserId: 'U0BARE',
    tokenVerificationEnabled: false,
    // Nothing should call Slack; if anything does, it stays on loopback.
    clientOptions: { slackApiUrl: options.slackApiUrl },
    logLevel: LogLevel.ERROR,
  });
  app.command('/vams', async ({ ack }) => {
    await ack();
  });
  // Clicks and dialog submissions, answered the same way: an empty ack.
  app.action(/.*/, async ({ ack }) => {
    await ack();
  });
  app.view(/.*/, async ({ ack }) => {
    await ack();
  });
  const server = await receiver.start({ port: options.port, host: '127.0.0.1' });
  const address = server.address();
  if (address === null || typeof address === 'string') {
    await receiver.stop();
    throw new Error('the bare Bolt app did not get a TCP port');
  }
  return {
    port: address.port,
    stop: async () => {
      server.closeAllConnections();
      await receiver.stop();
    },
  };
}
