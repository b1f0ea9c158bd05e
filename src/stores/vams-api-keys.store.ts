import { type DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { apiKeyTimestamp } from '../vams/vams-format';
import { allPages } from './all-pages';

// VAMS writes every attribute as a string (VAMS-COMPAT.md); `isActive` is 'true' or 'false'.
const keyItem = z.object({
  apiKeyId: z.string(),
  apiKeyName: z.string(),
  description: z.string().optional(),
  userId: z.string(),
  createdBy: z.string().optional(),
  createdAt: z.string().optional(),
  expiresAt: z.string().optional(),
  isActive: z.string().optional(),
});

/** What may be shown about a key: never its hash, let alone its value. */
export interface ApiKeyMetadata {
  apiKeyId: string;
  name: string;
  description: string;
  userId: string;
  createdBy: string | undefined;
  createdAt: string | undefined;
  /** Undefined: never expires (VAMS stores `''`). */
  expiresAt: string | undefined;
  /** VAMS's rule: only the string `'true'` is active. */
  active: boolean;
}

// Only these attributes are read, so the hash never leaves DynamoDB.
const METADATA_ATTRIBUTES = [
  'apiKeyId',
  'apiKeyName',
  'description',
  'userId',
  'createdBy',
  'createdAt',
  'expiresAt',
  'isActive',
] as const;

/** VAMS's API keys table, read by owner through its `userIdIndex`; never scanned. */
export class VamsApiKeyStore {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async keysOf(userId: string): Promise<ApiKeyMetadata[]> {
    const names = Object.fromEntries(METADATA_ATTRIBUTES.map((name) => [`#${name}`, name]));
    return allPages(
      (startKey) =>
        this.documents.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: 'userIdIndex',
            KeyConditionExpression: '#userId = :userId',
            ProjectionExpression: Object.keys(names).join(', '),
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: { ':userId': userId },
            ExclusiveStartKey: startKey,
          }),
        ),
      (item) => {
        const key = keyItem.parse(item);
        return {
          apiKeyId: key.apiKeyId,
          name: key.apiKeyName,
          description: key.description ?? '',
          userId: key.userId,
          createdBy: key.createdBy,
          createdAt: key.createdAt,
          expiresAt: key.expiresAt || undefined,
          active: key.isActive === 'true',
        };
      },
    );
  }

  /** VAMS's own way to revoke: `isActive` becomes the string 'false'; the item stays. */
  async deactivate(apiKeyId: string, at: Date): Promise<'deactivated' | 'already inactive'> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { apiKeyId },
          UpdateExpression: 'SET isActive = :inactive, updatedAt = :at',
          ConditionExpression: 'attribute_exists(apiKeyId) AND isActive <> :inactive',
          ExpressionAttributeValues: { ':inactive': 'false', ':at': apiKeyTimestamp(at) },
        }),
      );
      return 'deactivated';
    } catch (error) {
      if (error instanceof Error && error.name === 'ConditionalCheckFailedException')
        return 'already inactive';
      throw error;
    }
  }
}
