import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { userRoleTimestamp } from '../vams/vams-format';
import { allPages } from './all-pages';

const roleRow = z.object({ userId: z.string(), roleName: z.string() });

/** VAMS's user-roles table (pk userId, sk roleName): read with Query, never Scan. */
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

  async firstUserWithRoles(
    candidates: readonly string[],
  ): Promise<{ userId: string; roles: string[] } | undefined> {
    for (const userId of candidates) {
      const roles = await this.rolesOf(userId);
      if (roles.length > 0) return { userId, roles };
    }
    return undefined;
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
      if (error instanceof Error && error.name === 'ConditionalCheckFailedException')
        return 'existed';
      throw error;
    }
  }
}
