import { randomUUID } from 'node:crypto';
import { AdminGetUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import {
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  GetItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { type Backend, connectBackend } from '../../src/backend/backend';
import { createLogger } from '../../src/logging';
import { createTestDeployment, type TestDeployment } from '../support/vams-deployment';

const silent = createLogger('silent');

async function keysOf(backend: Backend, tableName: string) {
  const { Table } = await backend.clients.dynamo.send(
    new DescribeTableCommand({ TableName: tableName }),
  );
  return {
    keys: Table?.KeySchema,
    indexes: (Table?.GlobalSecondaryIndexes ?? []).map((index) => ({
      name: index.IndexName,
      keys: index.KeySchema,
      projection: index.Projection?.ProjectionType,
    })),
  };
}

describe('BACKEND=local', () => {
  let backend: Backend;
  beforeAll(async () => {
    backend = await connectBackend({ kind: 'local', localAdminEmail: 'boss@example.com' }, silent);
  }, 60_000);
  afterAll(() => backend?.stop());

  it('creates the VAMS tables with VAMS’s keys and indexes', async () => {
    expect(await keysOf(backend, backend.tables.userRoles)).toEqual({
      keys: [
        { AttributeName: 'userId', KeyType: 'HASH' },
        { AttributeName: 'roleName', KeyType: 'RANGE' },
      ],
      indexes: [],
    });
    expect(await keysOf(backend, backend.tables.roles)).toEqual({
      keys: [{ AttributeName: 'roleName', KeyType: 'HASH' }],
      indexes: [],
    });
    const apiKeys = await keysOf(backend, backend.tables.apiKeys);
    expect(apiKeys.keys).toEqual([{ AttributeName: 'apiKeyId', KeyType: 'HASH' }]);
    expect(apiKeys.indexes).toEqual(
      expect.arrayContaining([
        {
          name: 'apiKeyHashIndex',
          keys: [{ AttributeName: 'apiKeyHash', KeyType: 'HASH' }],
          projection: 'ALL',
        },
        {
          name: 'userIdIndex',
          keys: [
            { AttributeName: 'userId', KeyType: 'HASH' },
            { AttributeName: 'apiKeyId', KeyType: 'RANGE' },
          ],
          projection: 'ALL',
        },
      ]),
    );
  });

  it('seeds the admin role in the roles table’s own format (mfaRequired a BOOL)', async () => {
    const { Item } = await backend.clients.dynamo.send(
      new GetItemCommand({ TableName: backend.tables.roles, Key: { roleName: { S: 'admin' } } }),
    );
    expect(Item?.mfaRequired).toEqual({ BOOL: false });
    expect(Item?.createdOn?.S).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
    expect(Item?.id?.S).toMatch(/^[0-9a-f-]{36}$/);
    expect(Item?.source).toEqual({ NULL: true });
    expect(Item?.description?.S?.length).toBeGreaterThan(0);
  });

  it('seeds LOCAL_ADMIN_EMAIL as a Cognito user holding the admin role row', async () => {
    const { Items } = await backend.clients.dynamo.send(
      new QueryCommand({
        TableName: backend.tables.userRoles,
        KeyConditionExpression: 'userId = :user',
        ExpressionAttributeValues: { ':user': { S: 'boss@example.com' } },
      }),
    );
    expect(Items).toHaveLength(1);
    expect(Items?.[0]?.roleName).toEqual({ S: 'admin' });
    expect(Items?.[0]?.createdOn?.S).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
    const user = await backend.clients.cognito.send(
      new AdminGetUserCommand({ UserPoolId: backend.userPoolId, Username: 'boss@example.com' }),
    );
    expect(user.UserAttributes).toEqual(
      expect.arrayContaining([{ Name: 'email', Value: 'boss@example.com' }]),
    );
  });
});

describe('BACKEND=aws start-up checks', () => {
  let deployment: TestDeployment;
  beforeAll(async () => {
    deployment = await createTestDeployment();
  });
  afterAll(() => deployment.destroy());

  const awsConfig = (
    overrides: Partial<{
      botTable: string;
      userPoolId: string;
      createTables: boolean;
      roles: string;
    }>,
  ) => ({
    kind: 'aws' as const,
    region: 'us-east-1',
    userPoolId: overrides.userPoolId ?? deployment.userPoolId,
    tables: { ...deployment.tables, roles: overrides.roles ?? deployment.tables.roles },
    botTable: overrides.botTable ?? deployment.tables.bot,
    createTables: overrides.createTables ?? false,
  });

  it('connects when every table and the pool exist', async () => {
    const backend = await connectBackend(awsConfig({}), silent);
    expect(backend.userPoolId).toBe(deployment.userPoolId);
    await backend.stop();
  });

  it('names each missing table and the missing pool', async () => {
    await expect(
      connectBackend(
        awsConfig({ roles: 'gone-roles', botTable: 'gone-bot', userPoolId: 'us-east-1_Missing1' }),
        silent,
      ),
    ).rejects.toThrow(
      [
        'VAMS_ROLES_TABLE table "gone-roles" does not exist',
        'BOT_TABLE table "gone-bot" does not exist (CREATE_TABLES=true creates it)',
        'Cognito user pool "us-east-1_Missing1" does not exist',
      ].join('\n'),
    );
  });

  it('creates a missing bot table with CREATE_TABLES=true, and never a VAMS table', async () => {
    const botTable = `created-${randomUUID().slice(0, 8)}`;
    const backend = await connectBackend(awsConfig({ botTable, createTables: true }), silent);
    const { Table } = await backend.clients.dynamo.send(
      new DescribeTableCommand({ TableName: botTable }),
    );
    expect(Table?.TableStatus).toBe('ACTIVE');
    const ttl = await backend.clients.dynamo.send(
      new DescribeTimeToLiveCommand({ TableName: botTable }),
    );
    expect(ttl.TimeToLiveDescription).toMatchObject({
      AttributeName: 'ttl',
      TimeToLiveStatus: 'ENABLED',
    });
    await backend.stop();
    await expect(
      connectBackend(awsConfig({ roles: 'still-missing-roles', createTables: true }), silent),
    ).rejects.toThrow('VAMS_ROLES_TABLE table "still-missing-roles" does not exist');
  });
});
