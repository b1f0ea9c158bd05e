import {
  type DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { AdminRoleGuard, AdminRoleRemoval } from '../domain/admin-role-guard';
import { DomainError } from '../domain/errors';
import { VamsUserRoleStore } from './vams-user-roles.store';

const GUARD_KEY = { pk: 'GUARD#admins', sk: 'GUARD' } as const;
const guardItem = z.object({ version: z.number().int() });

const MAX_ATTEMPTS = 12;
const BACKOFF_MS = 25;

/** A transaction DynamoDB cancelled: a condition failed, or another transaction held an item. */
function isCancelled(error: unknown): boolean {
  return error instanceof Error && error.name === 'TransactionCanceledException';
}

/**
 * Checking "someone else stays admin" and deleting the row happen apart in time, so removals
 * that run at once could each see another admin and together leave none. Every removal of an
 * admin-role row therefore deletes the row and bumps a guard item in the bot table in one
 * transaction, conditional on the guard still being at the version read before counting: of two
 * removals that counted the same holders, one commits and the other counts again.
 *
 * The holders are counted from the user-roles table every time, never kept in the guard: VAMS's
 * own UI adds and removes admin rows without the bot.
 */
export class DynamoAdminRoleGuard implements AdminRoleGuard {
  private readonly userRoles: VamsUserRoleStore;

  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tables: { userRoles: string; bot: string },
    private readonly adminRoles: readonly string[],
    private readonly pause: (ms: number) => Promise<void> = (ms) =>
      new Promise((resolve) => setTimeout(resolve, ms)),
    /** True for a row that is there only because of a grant that will end by itself. */
    private readonly grantHeld: (row: {
      userId: string;
      roleName: string;
    }) => Promise<boolean> = async () => false,
  ) {
    this.userRoles = new VamsUserRoleStore(documents, tables.userRoles);
  }

  async removeAdminRole(userId: string, roleName: string): Promise<AdminRoleRemoval> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
      // The guard first, the holders after: whatever committed before this read is in the
      // count, and whatever commits after it changes the version.
      const version = await this.guardVersion();
      const rows = await this.userRoles.rowsWithRoles(this.adminRoles);
      // VAMS user IDs are case-sensitive: `Ada` and `ada` are two users.
      const isThisRow = (row: { userId: string; roleName: string }) =>
        row.userId === userId && row.roleName === roleName;
      if (!rows.some(isThisRow)) return 'absent';
      // An admin on a grant that ends by itself does not count as one who stays.
      const others = rows.filter((row) => !isThisRow(row));
      const held = await Promise.all(others.map((row) => this.grantHeld(row)));
      const remaining = new Set(others.filter((_, index) => !held[index]).map((row) => row.userId));
      if (remaining.size === 0) return 'last-admin';
      try {
        await this.documents.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Delete: {
                  TableName: this.tables.userRoles,
                  Key: { userId, roleName },
                  ConditionExpression: 'attribute_exists(roleName)',
                },
              },
              {
                Update: {
                  TableName: this.tables.bot,
                  Key: GUARD_KEY,
                  UpdateExpression: 'SET #version = :next',
                  ConditionExpression:
                    version === undefined ? 'attribute_not_exists(pk)' : '#version = :read',
                  ExpressionAttributeNames: { '#version': 'version' },
                  ExpressionAttributeValues: {
                    ':next': (version ?? 0) + 1,
                    ...(version === undefined ? {} : { ':read': version }),
                  },
                },
              },
            ],
          }),
        );
        return 'removed';
      } catch (error) {
        if (!isCancelled(error)) throw error;
        await this.pause(BACKOFF_MS * attempt * (0.5 + Math.random()));
      }
    }
    throw new DomainError(
      'admin-guard-busy',
      `the admin role ${roleName} of ${userId} was not removed: other admin-role removals kept changing the holders; try again`,
    );
  }

  private async guardVersion(): Promise<number | undefined> {
    const found = await this.documents.send(
      new GetCommand({ TableName: this.tables.bot, Key: GUARD_KEY, ConsistentRead: true }),
    );
    return found.Item ? guardItem.parse(found.Item).version : undefined;
  }
}
