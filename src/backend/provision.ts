import { randomUUID } from 'node:crypto';
import {
  AdminCreateUserCommand,
  type CognitoIdentityProviderClient,
  CreateUserPoolCommand,
  UsernameExistsException,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { VamsTableNames } from '../config';
import { isConditionFailure } from '../stores/conditional-write';
import { roleTimestamp, userRoleTimestamp } from '../vams/vams-format';
import { botTableDefinition, vamsTableDefinitions } from './table-definitions';

async function createTable(
  dynamo: DynamoDBClient,
  tableName: string,
  definition: Omit<CreateTableCommandInput, 'TableName'>,
): Promise<void> {
  try {
    await dynamo.send(new CreateTableCommand({ ...definition, TableName: tableName }));
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  await waitUntilTableExists(
    { client: dynamo, maxWaitTime: 120, minDelay: 1 },
    { TableName: tableName },
  );
}

export async function createVamsTables(
  dynamo: DynamoDBClient,
  names: VamsTableNames,
): Promise<void> {
  await Promise.all([
    createTable(dynamo, names.userRoles, vamsTableDefinitions.userRoles),
    createTable(dynamo, names.roles, vamsTableDefinitions.roles),
    createTable(dynamo, names.apiKeys, vamsTableDefinitions.apiKeys),
  ]);
}

/** Short-lived items (dialog drafts, list pages) carry an epoch `ttl`; DynamoDB removes them. */
const BOT_TABLE_TTL_ATTRIBUTE = 'ttl';

export async function createBotTable(dynamo: DynamoDBClient, tableName: string): Promise<void> {
  await createTable(dynamo, tableName, botTableDefinition);
  await dynamo
    .send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: BOT_TABLE_TTL_ATTRIBUTE, Enabled: true },
      }),
    )
    .catch((error: unknown) => {
      // Already enabled on an existing table.
      if (!(error instanceof Error && /already enabled/i.test(error.message))) throw error;
    });
}

/** A pool shaped like VAMS's: free-form usernames, email verified on create, a strong policy. */
export async function createVamsUserPool(
  cognito: CognitoIdentityProviderClient,
  poolName: string,
): Promise<string> {
  const created = await cognito.send(
    new CreateUserPoolCommand({
      PoolName: poolName,
      AutoVerifiedAttributes: ['email'],
      UsernameConfiguration: { CaseSensitive: false },
      Policies: {
        PasswordPolicy: {
          MinimumLength: 8,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
          TemporaryPasswordValidityDays: 7,
        },
      },
    }),
  );
  const poolId = created.UserPool?.Id;
  if (!poolId) throw new Error(`creating user pool ${poolName} returned no id`);
  return poolId;
}

/** The `admin` role every VAMS deployment seeds, in the roles table's own format. */
export async function seedRole(
  documents: DynamoDBDocumentClient,
  rolesTable: string,
  role: { roleName: string; description: string; mfaRequired?: boolean },
): Promise<void> {
  await documents
    .send(
      new PutCommand({
        TableName: rolesTable,
        Item: {
          roleName: role.roleName,
          id: randomUUID(),
          description: role.description,
          createdOn: roleTimestamp(new Date()),
          source: null,
          sourceIdentifier: null,
          mfaRequired: role.mfaRequired ?? false,
        },
        ConditionExpression: 'attribute_not_exists(roleName)',
      }),
    )
    .catch((error: unknown) => {
      if (!isConditionFailure(error)) throw error;
    });
}

export async function seedUserRole(
  documents: DynamoDBDocumentClient,
  userRolesTable: string,
  userId: string,
  roleName: string,
): Promise<void> {
  await documents.send(
    new PutCommand({
      TableName: userRolesTable,
      Item: { userId, roleName, createdOn: userRoleTimestamp(new Date()) },
    }),
  );
}

/** A Cognito user as VAMS creates one, without sending any invitation. */
export async function seedCognitoUser(
  cognito: CognitoIdentityProviderClient,
  userPoolId: string,
  username: string,
  email: string,
): Promise<void> {
  try {
    await cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: userPoolId,
        Username: username,
        MessageAction: 'SUPPRESS',
        UserAttributes: [
          { Name: 'email', Value: email },
          { Name: 'email_verified', Value: 'true' },
        ],
      }),
    );
  } catch (error) {
    if (!(error instanceof UsernameExistsException)) throw error;
  }
}
