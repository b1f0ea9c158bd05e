import { createAwsClients } from '../aws/aws-clients';
import type { BackendConfig } from '../config';
import type { AppLogger } from '../logging';
import { type Backend, connectAws } from './aws-backend';
import { startLocalServices } from './local-services';

export type { Backend } from './aws-backend';

import {
  createBotTable,
  createVamsTables,
  createVamsUserPool,
  seedCognitoUser,
  seedRole,
  seedUserRole,
} from './provision';

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

export function connectBackend(config: BackendConfig, logger: AppLogger): Promise<Backend> {
  return config.kind === 'local'
    ? connectLocal(config.localAdminEmail, logger)
    : connectAws(config, logger);
}
