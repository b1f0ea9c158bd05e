import { DescribeUserPoolCommand } from '@aws-sdk/client-cognito-identity-provider';
import { DescribeTableCommand, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { type AwsClients, createAwsClients } from '../aws/aws-clients';
import type { BackendConfig, VamsTableNames } from '../config';
import type { AppLogger } from '../logging';
import { createBotTable } from './provision';

export interface Backend {
  clients: AwsClients;
  tables: VamsTableNames & { bot: string };
  /** Unset: users live in an external identity provider; only roles and keys are managed. */
  userPoolId: string | undefined;
  stop(): Promise<void>;
}

class BackendError extends Error {
  readonly code = 'backend_unavailable';
}

async function tableProblem(
  clients: AwsClients,
  role: string,
  tableName: string,
): Promise<string | undefined> {
  try {
    await clients.dynamo.send(new DescribeTableCommand({ TableName: tableName }));
    return undefined;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) {
      const hint = role === 'BOT_TABLE' ? ' (CREATE_TABLES=true creates it)' : '';
      return `${role} table "${tableName}" does not exist${hint}`;
    }
    return `${role} table "${tableName}" could not be read: ${error instanceof Error ? error.message : String(error)}`;
  }
}

async function poolProblem(clients: AwsClients, userPoolId: string): Promise<string | undefined> {
  try {
    await clients.cognito.send(new DescribeUserPoolCommand({ UserPoolId: userPoolId }));
    return undefined;
  } catch (error) {
    const name = error instanceof Error ? error.name : '';
    if (name === 'ResourceNotFoundException')
      return `Cognito user pool "${userPoolId}" does not exist`;
    return `Cognito user pool "${userPoolId}" could not be read: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/**
 * The deployment's own tables and pool. `verify` (the default) checks at start that each exists;
 * on Lambda the stack that deploys the functions names them, and a cold start skips the round
 * trips.
 */
export async function connectAws(
  config: Extract<BackendConfig, { kind: 'aws' }>,
  logger: AppLogger,
  options: { verify?: boolean } = {},
): Promise<Backend> {
  const clients = createAwsClients({ region: config.region });
  const tables = { ...config.tables, bot: config.botTable };
  if (options.verify === false) {
    return { clients, tables, userPoolId: config.userPoolId, stop: async () => clients.destroy() };
  }
  try {
    if (config.createTables) {
      const missing = await tableProblem(clients, 'BOT_TABLE', tables.bot);
      if (missing?.includes('does not exist')) {
        logger.info({ table: tables.bot }, 'creating the bot table (CREATE_TABLES=true)');
        await createBotTable(clients.dynamo, tables.bot);
      }
    }
    const problems = (
      await Promise.all([
        tableProblem(clients, 'VAMS_USER_ROLES_TABLE', tables.userRoles),
        tableProblem(clients, 'VAMS_ROLES_TABLE', tables.roles),
        tableProblem(clients, 'VAMS_API_KEYS_TABLE', tables.apiKeys),
        tableProblem(clients, 'BOT_TABLE', tables.bot),
        config.userPoolId ? poolProblem(clients, config.userPoolId) : undefined,
      ])
    ).filter((problem) => problem !== undefined);
    if (problems.length > 0) throw new BackendError(problems.join('\n'));
  } catch (error) {
    clients.destroy();
    throw error;
  }
  if (!config.userPoolId) {
    logger.info('COGNITO_USER_POOL_ID is not set: users are managed in the identity provider');
  }
  return {
    clients,
    tables,
    userPoolId: config.userPoolId,
    stop: async () => clients.destroy(),
  };
}
