import { startBareBoltApp } from './bare-bolt-app';

// The bare Bolt app as a process of its own, so that its acks are timed as the bot's are: one
// server process, driven over loopback by the bench. Configured like the bot, by environment;
// stops on SIGTERM or SIGINT with exit code 0.

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    process.stderr.write(`bare-bolt-process: ${name} is not set\n`);
    process.exit(2);
  }
  return value;
}

async function main(): Promise<void> {
  const app = await startBareBoltApp({
    signingSecret: required('SLACK_SIGNING_SECRET'),
    slackApiUrl: required('SLACK_API_URL'),
    eventsPath: required('EVENTS_PATH'),
    port: Number(required('PORT')),
  });
  const stop = () => {
    app.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bare-bolt-process: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
