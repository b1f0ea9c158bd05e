import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

type TableDefinition = Omit<CreateTableCommandInput, 'TableName'>;

const string = (name: string) => ({ AttributeName: name, AttributeType: 'S' as const });
const hash = (name: string) => ({ AttributeName: name, KeyType: 'HASH' as const });
const range = (name: string) => ({ AttributeName: name, KeyType: 'RANGE' as const });

/** The three VAMS tables exactly as a VAMS 2.5 deployment creates them: keys, types, indexes. */
export const vamsTableDefinitions = {
  userRoles: {
    AttributeDefinitions: [string('userId'), string('roleName')],
    KeySchema: [hash('userId'), range('roleName')],
    BillingMode: 'PAY_PER_REQUEST',
  },
  roles: {
    AttributeDefinitions: [string('roleName')],
    KeySchema: [hash('roleName')],
    BillingMode: 'PAY_PER_REQUEST',
  },
  apiKeys: {
    AttributeDefinitions: [string('apiKeyId'), string('apiKeyHash'), string('userId')],
    KeySchema: [hash('apiKeyId')],
    GlobalSecondaryIndexes: [
      {
        IndexName: 'apiKeyHashIndex',
        KeySchema: [hash('apiKeyHash')],
        Projection: { ProjectionType: 'ALL' },
      },
      {
        IndexName: 'userIdIndex',
        KeySchema: [hash('userId'), range('apiKeyId')],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
    BillingMode: 'PAY_PER_REQUEST',
  },
} as const satisfies Record<string, TableDefinition>;

/**
 * The bot's own table: one generic pk/sk layout for requests, audit events and links, with one
 * index for "what is pending" and "what did this person ask for" queries.
 */
export const botTableDefinition = {
  AttributeDefinitions: [string('pk'), string('sk'), string('gsi1pk'), string('gsi1sk')],
  KeySchema: [hash('pk'), range('sk')],
  GlobalSecondaryIndexes: [
    {
      IndexName: 'gsi1',
      KeySchema: [hash('gsi1pk'), range('gsi1sk')],
      Projection: { ProjectionType: 'ALL' },
    },
  ],
  BillingMode: 'PAY_PER_REQUEST',
} as const satisfies TableDefinition;
