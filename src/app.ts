import { type IdentityPorts, resolveIdentity } from './auth/identity';
import { type Backend, connectBackend } from './backend/backend';
import type { Identify } from './commands/identity.commands';
import { whoamiCommand } from './commands/identity.commands';
import { registerVamsCommand } from './commands/vams.command';
import { type Config, loadConfig } from './config';
import { CognitoUserDirectory } from './gateways/cognito-users.gateway';
import { type AppLogger, createLogger } from './logging';
import { SlackPeople } from './slack/slack-people';
import { createSlackRuntime, type SlackRuntime } from './slack/slack-runtime';
import { registerWorkspaceGuard } from './slack/workspace-guard';
import { LinkStore } from './stores/link.store';
import { VamsUserRoleStore } from './stores/vams-user-roles.store';

export interface RunningApp {
  port: number;
  backend: Backend;
  stop(): Promise<void>;
}

function identityService(backend: Backend, slack: SlackRuntime): Identify {
  const { documents, cognito } = backend.clients;
  const people = new SlackPeople(slack.clients.messages);
  const links = new LinkStore(documents, backend.tables.bot);
  const userRoles = new VamsUserRoleStore(documents, backend.tables.userRoles);
  const cognitoUsers = backend.userPoolId
    ? new CognitoUserDirectory(cognito, backend.userPoolId)
    : undefined;
  const ports: IdentityPorts = {
    slackPerson: (slackUserId) => people.person(slackUserId),
    linkedVamsUser: (slackUserId) => links.linkedVamsUser(slackUserId),
    vamsUserWithRoles: (candidates) => userRoles.firstUserWithRoles(candidates),
    cognitoUsername: async (candidates) => cognitoUsers?.firstExistingUsername(candidates),
    cognitoUsernamesWithEmail: async (candidates) =>
      cognitoUsers ? cognitoUsers.usernamesWithEmail(candidates) : [],
    rolesOf: (vamsUserId) => userRoles.rolesOf(vamsUserId),
  };
  return (slackUserId, teamId) =>
    resolveIdentity(ports, { slackUserId, requestTeamId: teamId, homeTeamId: slack.homeTeamId });
}

/** Config → adapters → Bolt app → listeners → serving. Tests start the bot through here too. */
export async function startApp(config: Config, logger: AppLogger): Promise<RunningApp> {
  const backend = await connectBackend(config.backend, logger);
  try {
    const slack = await createSlackRuntime(config, logger);
    const identify = identityService(backend, slack);
    registerWorkspaceGuard(slack.app, slack.homeTeamId, logger);
    registerVamsCommand(slack.app, [whoamiCommand(identify, config)], logger);
    slack.app.error(async (error) => {
      logger.error({ err: error }, 'unhandled error in a Slack listener');
    });
    const port = await slack.start();
    logger.info({ port, backend: config.backend.kind }, 'vams-chatops is serving');
    return {
      port,
      backend,
      stop: async () => {
        await slack.stop();
        await backend.stop();
      },
    };
  } catch (error) {
    await backend.stop();
    throw error;
  }
}

async function main(): Promise<void> {
  const loaded = loadConfig(process.env);
  if (!loaded.ok) {
    process.stderr.write(
      `vams-chatops cannot start; fix the configuration:\n${loaded.problems.map((problem) => `  ${problem}\n`).join('')}`,
    );
    process.exit(2);
  }
  const logger = createLogger(loaded.config.logLevel);
  let running: RunningApp;
  try {
    running = await startApp(loaded.config, logger);
  } catch (error) {
    process.stderr.write(
      `vams-chatops could not start: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    logger.flush();
    process.exit(1);
  }
  let stopping = false;
  const shutDown = (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.info({ signal }, 'stopping');
    running
      .stop()
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        logger.error({ err: error }, 'stopping failed');
        process.exit(1);
      });
  };
  process.on('SIGINT', () => shutDown('SIGINT'));
  process.on('SIGTERM', () => shutDown('SIGTERM'));
  process.on('uncaughtException', (error) => {
    logger.fatal({ err: error }, 'uncaught exception');
    process.exit(1);
  });
}

if (require.main === module) {
  void main();
}
