import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { ApiKeyMetadata, NewApiKeyItem } from '../domain/api-key';
import { zonedInstant } from '../vams/api-key-format';
import { apiKeyTimestamp } from '../vams/vams-format';
import { allPages } from './all-pages';
import { isConditionFailure } from './conditional-write';
import { KeyNames } from './key-names';

// VAMS writes every attribute as a string; `isActive` is 'true' or 'false'.
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

function metadataOf(item: unknown): ApiKeyMetadata {
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
}

const NAMES = Object.fromEntries(METADATA_ATTRIBUTES.map((name) => [`#${name}`, name]));
const PROJECTION = Object.keys(NAMES).join(', ');

/** How long the names read by one Scan answer a dialog's check alone, and at all. */
export interface KeyNameMemory {
  freshMs: number;
  staleMs: number;
  now?: () => number;
  onReadFailed?: (error: unknown) => void;
}

/**
 * VAMS's API keys table: read by owner through its `userIdIndex` and by id. The name check scans,
 * as VAMS itself does, for the table has no index on names: a dialog asks the names read by one
 * Scan a little while ago, and the run that creates a key scans for its name itself. The expiry
 * reminders scan on their schedule.
 */
export class VamsApiKeyStore {
  private readonly names: KeyNames;

  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
    memory: KeyNameMemory = { freshMs: 0, staleMs: 0 },
  ) {
    this.names = new KeyNames(
      () => this.allNames(),
      memory.freshMs,
      memory.staleMs,
      memory.now,
      memory.onReadFailed,
    );
  }

  async keysOf(userId: string): Promise<ApiKeyMetadata[]> {
    return allPages(
      (startKey) =>
        this.documents.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: 'userIdIndex',
            KeyConditionExpression: '#userId = :userId',
            ProjectionExpression: PROJECTION,
            ExpressionAttributeNames: NAMES,
            ExpressionAttributeValues: { ':userId': userId },
            ExclusiveStartKey: startKey,
          }),
        ),
      metadataOf,
    );
  }

  async get(apiKeyId: string): Promise<ApiKeyMetadata | undefined> {
    const found = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { apiKeyId },
        ProjectionExpression: PROJECTION,
        ExpressionAttributeNames: NAMES,
        ConsistentRead: true,
      }),
    );
    return found.Item ? metadataOf(found.Item) : undefined;
  }

  /** The ids of keys with this name: VAMS keeps names unique across the table, unindexed. */
  async idsNamed(name: string): Promise<string[]> {
    return allPages(
      (startKey) =>
        this.documents.send(
          new ScanCommand({
            TableName: this.tableName,
            FilterExpression: 'apiKeyName = :name',
            ProjectionExpression: 'apiKeyId',
            ExpressionAttributeValues: { ':name': name },
            ConsistentRead: true,
            ExclusiveStartKey: startKey,
          }),
        ),
      (item) => z.object({ apiKeyId: z.string() }).parse(item).apiKeyId,
    );
  }

  /**
   * Whether VAMS has a key with this name, for a dialog's answer: from the names read a little
   * while ago, with the bot's own writes since. `idsNamed` is the check at the moment of writing.
   */
  nameTaken(name: string): Promise<boolean> {
    return this.names.taken(name);
  }

  private async allNames(): Promise<string[]> {
    const names = await allPages(
      (startKey) =>
        this.documents.send(
          new ScanCommand({
            TableName: this.tableName,
            ProjectionExpression: 'apiKeyName',
            // A key written just before must be among the names, or the bot's own would drop out.
            ConsistentRead: true,
            ExclusiveStartKey: startKey,
          }),
        ),
      // An item without a name takes none.
      (item) => (typeof item.apiKeyName === 'string' ? item.apiKeyName : undefined),
    );
    return names.filter((name) => name !== undefined);
  }

  /** Active keys that expire at or before `until` (already expired ones included). */
  async activeExpiringBy(until: Date): Promise<ApiKeyMetadata[]> {
    const keys = await allPages(
      (startKey) =>
        this.documents.send(
          new ScanCommand({
            TableName: this.tableName,
            FilterExpression: '#isActive = :active AND #expiresAt <> :never',
            ProjectionExpression: PROJECTION,
            ExpressionAttributeNames: NAMES,
            ExpressionAttributeValues: { ':active': 'true', ':never': '' },
            ExclusiveStartKey: startKey,
          }),
        ),
      metadataOf,
    );
    return keys.filter((key) => {
      const at = zonedInstant(key.expiresAt);
      return at !== undefined && at.getTime() <= until.getTime();
    });
  }

  /**
   * Writes a new key inactive: it becomes usable only once its value has reached its owner.
   * Refuses to overwrite an existing id.
   */
  /**
   * Writes the key switched off, only where no key with its id is. A put whose answer was lost
   * meets its own item when the SDK retries it: an item with this very hash counts as written.
   */
  async putInactive(key: NewApiKeyItem, at: Date): Promise<void> {
    const stamp = apiKeyTimestamp(at);
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...key, createdAt: stamp, updatedAt: stamp, isActive: 'false' },
          ConditionExpression: 'attribute_not_exists(apiKeyId)',
        }),
      );
      this.names.wrote(key.apiKeyName);
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const found = await this.documents.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { apiKeyId: key.apiKeyId },
          ProjectionExpression: 'apiKeyHash',
          ConsistentRead: true,
        }),
      );
      if (found.Item?.apiKeyHash !== key.apiKeyHash) throw error;
      this.names.wrote(key.apiKeyName);
    }
  }

  /**
   * Switches on the key this attempt wrote and delivered, and no other: another attempt that
   * replaced the item in the meantime wrote a different hash.
   */
  async activate(apiKeyId: string, apiKeyHash: string, at: Date): Promise<void> {
    await this.documents.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { apiKeyId },
        UpdateExpression: 'SET isActive = :active, updatedAt = :at',
        ConditionExpression: 'apiKeyHash = :hash',
        ExpressionAttributeValues: {
          ':active': 'true',
          ':at': apiKeyTimestamp(at),
          ':hash': apiKeyHash,
        },
      }),
    );
  }

  /** Removes a key whose value nobody holds; true when there was one. */
  async remove(apiKeyId: string): Promise<boolean> {
    const removed = await this.documents.send(
      new DeleteCommand({ TableName: this.tableName, Key: { apiKeyId }, ReturnValues: 'ALL_OLD' }),
    );
    const name = removed.Attributes?.apiKeyName;
    if (typeof name === 'string') this.names.removed(name);
    return removed.Attributes !== undefined;
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
      if (isConditionFailure(error)) return 'already inactive';
      throw error;
    }
  }

  /**
   * A key's description and expiry, as VAMS's own update writes them (`updatedAt` too); only
   * where the key still is. Writing the same values again changes nothing: a step run twice is
   * the same step. False when the key is gone.
   */
  async updateDetails(
    apiKeyId: string,
    change: { description: string; expiresAt: string },
    at: Date,
    /** Only if the expiry is still this one (as read when the change was judged). */
    seenExpiresAt?: string,
  ): Promise<boolean> {
    const seen =
      seenExpiresAt === undefined
        ? {}
        : seenExpiresAt === ''
          ? { condition: ' AND (attribute_not_exists(expiresAt) OR expiresAt = :seen)' }
          : { condition: ' AND expiresAt = :seen' };
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { apiKeyId },
          UpdateExpression: 'SET description = :description, expiresAt = :expires, updatedAt = :at',
          ConditionExpression: `attribute_exists(apiKeyId)${seen.condition ?? ''}`,
          ExpressionAttributeValues: {
            ':description': change.description,
            ':expires': change.expiresAt,
            ':at': apiKeyTimestamp(at),
            ...(seenExpiresAt !== undefined ? { ':seen': seenExpiresAt } : {}),
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** `isActive` back to the string 'true', as VAMS writes it; only a key that is still there. */
  async reactivate(apiKeyId: string, at: Date): Promise<'reactivated' | 'already active' | 'gone'> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { apiKeyId },
          UpdateExpression: 'SET isActive = :active, updatedAt = :at',
          ConditionExpression: 'attribute_exists(apiKeyId) AND isActive <> :active',
          ExpressionAttributeValues: { ':active': 'true', ':at': apiKeyTimestamp(at) },
        }),
      );
      return 'reactivated';
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return (await this.get(apiKeyId)) ? 'already active' : 'gone';
    }
  }

  /**
   * One page of the whole table in scan order, after the key `after` (for `key list --all`):
   * metadata only, never the hash. `last` is where the next page starts; undefined at the end.
   */
  async scanPage(
    after: string | undefined,
    limit: number,
  ): Promise<{ keys: ApiKeyMetadata[]; last: string | undefined }> {
    const page = await this.documents.send(
      new ScanCommand({
        TableName: this.tableName,
        ProjectionExpression: PROJECTION,
        ExpressionAttributeNames: NAMES,
        Limit: limit,
        ...(after ? { ExclusiveStartKey: { apiKeyId: after } } : {}),
      }),
    );
    const last = page.LastEvaluatedKey?.apiKeyId;
    return {
      keys: (page.Items ?? []).map(metadataOf),
      last: typeof last === 'string' ? last : undefined,
    };
  }
}
