import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { userRoleTimestamp } from '../vams/vams-format';
import { allPages } from './all-pages';
import { isConditionFailure } from './conditional-write';

const roleRow = z.object({ userId: z.string(), roleName: z.string() });

/** VAMS's user-roles table (pk userId, sk roleName): read with Query; only `rowsWithRoles` scans. */
export class VamsUserRoleStore {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async rolesOf(userId: string): Promise<string[]> {
    return allPages(
      (startKey) =>
        this.documents.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: 'userId = :userId',
            ExpressionAttributeValues: { ':userId': userId },
            ConsistentRead: true,
            ExclusiveStartKey: startKey,
          }),
        ),
      (item) => roleRow.parse(item).roleName,
    );
  }

  /** One row in VAMS's format; an existing row counts as done (same key, same meaning). */
  async addRole(userId: string, roleName: string, at: Date): Promise<'added' | 'existed'> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { userId, roleName, createdOn: userRoleTimestamp(at) },
          ConditionExpression: 'attribute_not_exists(roleName)',
        }),
      );
      return 'added';
    } catch (error) {
      if (isConditionFailure(error)) return 'existed';
      throw error;
    }
  }

  async removeRole(userId: string, roleName: string): Promise<'removed' | 'absent'> {
    const removed = await this.documents.send(
      new DeleteCommand({
        TableName: this.tableName,
        Key: { userId, roleName },
        ReturnValues: 'ALL_OLD',
      }),
    );
    return removed.Attributes ? 'removed' : 'absent';
  }

  /**
   * Every row of one of `roleNames`. The table has no index by role, so this scans: only for
   * the last-admin safeguard, never on a hot path.
   */
  async rowsWithRoles(
    roleNames: readonly string[],
  ): Promise<{ userId: string; roleName: string }[]> {
    if (roleNames.length === 0) return [];
    const values = Object.fromEntries(roleNames.map((role, index) => [`:r${index}`, role]));
    return allPages(
      (startKey) =>
        this.documents.send(
          new ScanCommand({
            TableName: this.tableName,
            FilterExpression: `roleName IN (${Object.keys(values).join(', ')})`,
            ExpressionAttributeValues: values,
            ProjectionExpression: 'userId, roleName',
            ConsistentRead: true,
            ExclusiveStartKey: startKey,
          }),
        ),
      (item) => roleRow.parse(item),
    );
  }

  /** Everyone holding one of `roleNames` (a scan, as `rowsWithRoles`). */
  async holdersOf(roleNames: readonly string[]): Promise<string[]> {
    return [...new Set((await this.rowsWithRoles(roleNames)).map((row) => row.userId))];
  }
}
