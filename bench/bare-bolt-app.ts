import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import { EVENTS_PATH } from '../src/slack/slack-runtime';

export interface BareBoltApp {
  eventsUrl: string;
  stop(): Promise<void>;
}

/**
 * The reference point of the ack budget: Bolt's own HTTPReceiver and server with defaults, and a
 * `/vams` listener that only acks. Nothing of the bot is loaded into it.
 */
export async function startBareBoltApp(
  signingSecret: string,
  slackApiUrl: string,
): Promise<BareBoltApp> {
  const receiver = new HTTPReceiver({
    signingSecret,
    endpoints: EVENTS_PATH,
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
    clientOptions: { slackApiUrl },
    logLevel: LogLevel.ERROR,
  });
  app.command('/vams', async ({ ack }) => {
    await ack();
  });
  const server = await receiver.start({ port: 0, host: '127.0.0.1' });
  const address = server.address();
  if (address === null || typeof address === 'string') {
    await receiver.stop();
    throw new Error('the bare Bolt app did not get a TCP port');
  }
  return {
    eventsUrl: `http://127.0.0.1:${address.port}${EVENTS_PATH}`,
    stop: async () => {
      server.closeAllConnections();
      await receiver.stop();
    },
  };
}
