import { DescribeUserPoolCommand } from '@aws-sdk/client-cognito-identity-provider';
import { DescribeTableCommand, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { type AwsClients, createAwsClients } from '../aws/aws-clients';
import type { BackendConfig, VamsTableNames } from '../config';
import type { AppLogger } from '../logging';
import { startLocalServices } from './local-services';
import {
  createBotTable,
  createVamsTables,
  createVamsUserPool,
  seedCognitoUser,
  seedRole,
  seedUserRole,
} from './provision';

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

const LOCAL_TABLES = {
  userRoles: 'vams-local-user-roles',
  roles: 'vams-local-roles',
  apiKeys: 'vams-local-api-keys',
  bot: 'vams-chatops-local',
} as const;

async function connectLocal(
  localAdminEmail: string | undefined,
  logger: AppLogger,
): Promise<Backend> {
  const services = await startLocalServices();
  const clients = createAwsClients({
    region: 'us-east-1',
    dynamoEndpoint: services.dynamoEndpoint,
    cognitoEndpoint: services.cognitoEndpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    await Promise.all([
      createVamsTables(clients.dynamo, LOCAL_TABLES),
      createBotTable(clients.dynamo, LOCAL_TABLES.bot),
    ]);
    const userPoolId = await createVamsUserPool(clients.cognito, 'vams-local');
    await seedRole(clients.documents, LOCAL_TABLES.roles, {
      roleName: 'admin',
      description: 'Administrator: full access to VAMS',
    });
    if (localAdminEmail) {
      await seedCognitoUser(clients.cognito, userPoolId, localAdminEmail, localAdminEmail);
      await seedUserRole(clients.documents, LOCAL_TABLES.userRoles, localAdminEmail, 'admin');
    }
    logger.info(
      { dynamo: services.dynamoEndpoint, cognito: services.cognitoEndpoint, userPoolId },
      'local backend ready (in memory: data is gone when the bot stops)',
    );
    return {
      clients,
      tables: LOCAL_TABLES,
      userPoolId,
      stop: async () => {
        clients.destroy();
        await services.stop();
      },
    };
  } catch (error) {
    clients.destroy();
    await services.stop();
    throw error;
  }
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

async function connectAws(
  config: Extract<BackendConfig, { kind: 'aws' }>,
  logger: AppLogger,
): Promise<Backend> {
  const clients = createAwsClients({ region: config.region });
  const tables = { ...config.tables, bot: config.botTable };
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

export function connectBackend(config: BackendConfig, logger: AppLogger): Promise<Backend> {
  return config.kind === 'local'
    ? connectLocal(config.localAdminEmail, logger)
    : connectAws(config, logger);
}
