import { randomUUID } from 'node:crypto';
import { type AwsClients, createAwsClients } from '../../src/aws/aws-clients';
import {
  createBotTable,
  createVamsTables,
  createVamsUserPool,
  seedCognitoUser,
  seedRole,
  seedUserRole,
} from '../../src/backend/provision';
import type { VamsTableNames } from '../../src/config';

/** What a bot started as a separate process needs to reach this run's emulators. */
export function emulatorEnvironment(): Record<string, string> {
  const names = [
    'AWS_ENDPOINT_URL_DYNAMODB',
    'AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER',
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED',
  ];
  return Object.fromEntries(names.map((name) => [name, process.env[name] ?? '']));
}

/** A VAMS deployment of its own for one test file: fresh tables and a fresh pool. */
export interface TestDeployment {
  clients: AwsClients;
  tables: VamsTableNames & { bot: string };
  userPoolId: string;
  /** The BACKEND=aws variables that point the bot at this deployment. */
  env: Record<string, string>;
  addRole(roleName: string, options?: { mfaRequired?: boolean }): Promise<void>;
  addVamsUser(userId: string, roles: string[], email?: string): Promise<void>;
  addCognitoUser(username: string, email: string): Promise<void>;
  destroy(): void;
}

export async function createTestDeployment(): Promise<TestDeployment> {
  const region = process.env.AWS_REGION ?? 'us-east-1';
  const clients = createAwsClients({ region });
  const prefix = `t-${randomUUID().slice(0, 8)}`;
  const tables = {
    userRoles: `${prefix}-user-roles`,
    roles: `${prefix}-roles`,
    apiKeys: `${prefix}-api-keys`,
    bot: `${prefix}-bot`,
  };
  await Promise.all([
    createVamsTables(clients.dynamo, tables),
    createBotTable(clients.dynamo, tables.bot),
  ]);
  const userPoolId = await createVamsUserPool(clients.cognito, prefix);
  await seedRole(clients.documents, tables.roles, {
    roleName: 'admin',
    description: 'Administrator',
  });
  const deployment: TestDeployment = {
    clients,
    tables,
    userPoolId,
    env: {
      BACKEND: 'aws',
      AWS_REGION: region,
      COGNITO_USER_POOL_ID: userPoolId,
      VAMS_USER_ROLES_TABLE: tables.userRoles,
      VAMS_ROLES_TABLE: tables.roles,
      VAMS_API_KEYS_TABLE: tables.apiKeys,
      BOT_TABLE: tables.bot,
    },
    addRole: (roleName, options) =>
      seedRole(clients.documents, tables.roles, {
        roleName,
        description: `${roleName} role`,
        mfaRequired: options?.mfaRequired ?? false,
      }),
    addVamsUser: async (userId, roles, email) => {
      await seedCognitoUser(clients.cognito, userPoolId, userId, email ?? userId);
      for (const role of roles)
        await seedUserRole(clients.documents, tables.userRoles, userId, role);
    },
    addCognitoUser: (username, email) =>
      seedCognitoUser(clients.cognito, userPoolId, username, email),
    destroy: () => clients.destroy(),
  };
  return deployment;
}
