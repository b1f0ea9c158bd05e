import { randomBytes } from 'node:crypto';
import { type RunningApp, startApp } from '../src/app';
import { seedCognitoUser, seedRole, seedUserRole } from '../src/backend/provision';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/logging';
import { EVENTS_PATH } from '../src/slack/slack-runtime';
import { SlackDriver } from '../test/support/slack-driver';
import { SlackStandIn } from '../test/support/slack-standin';
import { renderMessage } from './render';

// A small workspace: one admin, one manager, one plain VAMS user, and a guest.
const people = [
  { id: 'U0ADA', name: 'Ada (admin)', email: 'ada@example.com', role: 'admin' },
  { id: 'U0MAX', name: 'Max (manager)', email: 'max@example.com', role: 'manager' },
  { id: 'U0PAT', name: 'Pat (VAMS user)', email: 'pat@example.com', role: 'viewer' },
  { id: 'U0GUS', name: 'Gus (Slack guest)', email: 'gus@partner.example', role: undefined },
] as const;

function print(lines: string[] = []): void {
  process.stdout.write(`${lines.join('\n')}\n`);
}

const nameOf = (slackUserId: string) => people.find((person) => person.id === slackUserId)?.name;

function showTo(name: string, message: unknown): void {
  const lines = renderMessage(message, nameOf).map((line) => `    │ ${line}`);
  print([`  ${name} sees (only them):`, ...lines, '']);
}

async function seedWorkspace(app: RunningApp, slack: SlackStandIn): Promise<void> {
  const { clients, tables, userPoolId } = app.backend;
  await seedRole(clients.documents, tables.roles, {
    roleName: 'manager',
    description: 'Team managers',
  });
  await seedRole(clients.documents, tables.roles, {
    roleName: 'viewer',
    description: 'Read-only access',
  });
  for (const person of people) {
    slack.addUser({
      id: person.id,
      realName: person.name,
      email: person.email,
      emailConfirmed: true,
      isRestricted: person.role === undefined,
    });
    if (!person.role || person.role === 'admin' || !userPoolId) continue;
    await seedCognitoUser(clients.cognito, userPoolId, person.email, person.email);
    await seedUserRole(clients.documents, tables.userRoles, person.email, person.role);
  }
}

async function main(): Promise<void> {
  const logLines: string[] = [];
  const slack = await SlackStandIn.start({ teamId: 'T0DEMO' });
  const signingSecret = randomBytes(16).toString('hex');
  const loaded = loadConfig({
    BACKEND: 'local',
    LOCAL_ADMIN_EMAIL: 'ada@example.com',
    MANAGER_ROLES: 'manager',
    SLACK_BOT_TOKEN: 'xoxb-local-standin',
    SLACK_SIGNING_SECRET: signingSecret,
    SLACK_API_URL: slack.apiUrl,
    APPROVAL_CHANNEL_ID: 'C0APPROVALS',
    PORT: '0',
    LOG_LEVEL: 'info',
  });
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
  print([
    'vams-chatops demo: the real bot on the embedded backend (DynamoDB Local + moto),',
    'talking to a simulated Slack workspace.',
    '',
  ]);
  const app = await startApp(
    loaded.config,
    createLogger('info', { write: (line: string) => logLines.push(line) }),
  );
  try {
    await seedWorkspace(app, slack);
    const driver = new SlackDriver({
      eventsUrl: `http://127.0.0.1:${app.port}${EVENTS_PATH}`,
      signingSecret,
      slack,
    });
    const [ada] = people;
    print([`── ${ada.name} types /vams help`]);
    showTo(ada.name, (await driver.command(ada.id, 'help')).ack);
    for (const person of people) {
      print([`── ${person.name} types /vams whoami`]);
      const result = await driver.command(person.id, 'whoami');
      const reply = await slack.waitForCall(
        'response_url',
        (call) => call.args.url === result.responseUrl,
      );
      showTo(person.name, reply.args);
    }
    print([`── ${people[2].name} mistypes /vams frobnicate`]);
    showTo(people[2].name, (await driver.command(people[2].id, 'frobnicate')).ack);
    print([
      'Done: every message above went only to the person who asked; nothing was posted in a channel.',
    ]);
  } catch (error) {
    process.stderr.write(`${logLines.join('')}\n`);
    throw error;
  } finally {
    await app.stop();
    await slack.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
