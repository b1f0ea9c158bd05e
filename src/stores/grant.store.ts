import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import {
  type EndedGrant,
  endedGrant,
  endingOf,
  type GrantEnding,
  type GrantEntry,
  grantEntry,
  holdingDue,
  type RoleHolding,
} from '../domain/grant';
import { userRoleTimestamp } from '../vams/vams-format';
import { allPages } from './all-pages';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

const DUE_INDEX_KEY = 'GRANTS';
// Each write re-reads on a lost race; a handful of rounds settles any realistic contention.
const WRITE_ATTEMPTS = 6;

const holdingItem = z.object({
  userId: z.string(),
  roleName: z.string(),
  keepsRow: z.boolean(),
  grants: z.array(grantEntry),
  ended: z.array(endedGrant),
  closing: z.object({ owner: z.string(), until: z.string() }).optional(),
  version: z.number().int(),
});

const dueKey = z.object({ userId: z.string(), roleName: z.string() });

const holdingKey = (userId: string, roleName: string) => ({
  pk: `ROLEGRANT#${userId}`,
  sk: `ROLE#${roleName}`,
});

/** Cancelled because a condition failed or another transaction held an item: read again. */
function lostRace(error: unknown): boolean {
  if (error instanceof Error && error.name === 'TransactionConflictException') return true;
  return (
    error instanceof TransactionCanceledException &&
    (error.CancellationReasons ?? []).some(
      (reason) => reason.Code === 'ConditionalCheckFailed' || reason.Code === 'TransactionConflict',
    )
  );
}

function cancelledAt(error: unknown, index: number): boolean {
  return (
    error instanceof TransactionCanceledException &&
    error.CancellationReasons?.[index]?.Code === 'ConditionalCheckFailed'
  );
}

export type GrantOutcome = 'granted' | 'extended' | 'held-permanently' | 'already';

/**
 * Time-bound role assignments, in the bot table, next to VAMS's user-roles rows. One item per
 * user and role holds every running grant of it, so overlapping grants are one conditional
 * write, and each change of the row and of the grants is one transaction across both tables.
 */
export class GrantStore {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly botTable: string,
    private readonly userRolesTable: string,
  ) {}

  async holding(userId: string, roleName: string): Promise<RoleHolding | undefined> {
    const found = await this.documents.send(
      new GetCommand({
        TableName: this.botTable,
        Key: holdingKey(userId, roleName),
        ConsistentRead: true,
      }),
    );
    return found.Item ? holdingItem.parse(found.Item) : undefined;
  }

  /** True when the row is there only because of running grants: it goes when they end. */
  async grantHeld(row: { userId: string; roleName: string }): Promise<boolean> {
    const holding = await this.holding(row.userId, row.roleName);
    return holding !== undefined && holding.grants.length > 0 && !holding.keepsRow;
  }

  /** Every role of one user that has grants running or still to be told of (unreadable ones
   * left out: a listing shows what it can). */
  async holdingsOf(userId: string): Promise<RoleHolding[]> {
    return allPages(
      (startKey) =>
        this.documents.send(
          new QueryCommand({
            TableName: this.botTable,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': `ROLEGRANT#${userId}` },
            ConsistentRead: true,
            ExclusiveStartKey: startKey,
          }),
        ),
      (item) => holdingItem.safeParse(item),
    ).then((parsed) => parsed.flatMap((item) => (item.success ? [item.data] : [])));
  }

  /**
   * Holdings with a reminder, an end or a notice due by `now` (read again before acting). Only
   * their keys are needed, so an item that does not parse is left out rather than stopping the
   * sweep for every other grant; reading it again fails for that one alone, and is logged.
   */
  async due(now: Date): Promise<{ userId: string; roleName: string }[]> {
    return allPages(
      (startKey) =>
        this.documents.send(
          new QueryCommand({
            TableName: this.botTable,
            IndexName: 'gsi1',
            KeyConditionExpression: 'gsi1pk = :due AND gsi1sk <= :now',
            ExpressionAttributeValues: { ':due': DUE_INDEX_KEY, ':now': `${now.toISOString()}~` },
            ExclusiveStartKey: startKey,
          }),
        ),
      (item) => dueKey.parse(item),
    );
  }

  private async rowExists(userId: string, roleName: string): Promise<boolean> {
    const found = await this.documents.send(
      new GetCommand({
        TableName: this.userRolesTable,
        Key: { userId, roleName },
        ConsistentRead: true,
      }),
    );
    return found.Item !== undefined;
  }

  private put(next: RoleHolding, expected: RoleHolding | undefined): TransactItem {
    const due = holdingDue(next);
    const index = due
      ? { gsi1pk: DUE_INDEX_KEY, gsi1sk: `${due}#${next.userId}#${next.roleName}` }
      : {};
    return {
      Put: {
        TableName: this.botTable,
        Item: { ...holdingKey(next.userId, next.roleName), entity: 'grant', ...index, ...next },
        ...(expected
          ? {
              ConditionExpression: 'version = :version',
              ExpressionAttributeValues: { ':version': expected.version },
            }
          : { ConditionExpression: 'attribute_not_exists(pk)' }),
      },
    };
  }

  /** The next state of a holding, or its removal once nothing is running or untold. */
  private writeHolding(next: RoleHolding, expected: RoleHolding | undefined): TransactItem[] {
    if (next.grants.length > 0 || next.ended.length > 0) return [this.put(next, expected)];
    if (!expected) return [];
    return [
      {
        Delete: {
          TableName: this.botTable,
          Key: holdingKey(next.userId, next.roleName),
          ConditionExpression: 'version = :version',
          ExpressionAttributeValues: { ':version': expected.version },
        },
      },
    ];
  }

  private addRow(userId: string, roleName: string, at: Date): TransactItem {
    return {
      Put: {
        TableName: this.userRolesTable,
        Item: { userId, roleName, createdOn: userRoleTimestamp(at) },
        ConditionExpression: 'attribute_not_exists(roleName)',
      },
    };
  }

  private rowIsThere(userId: string, roleName: string): TransactItem {
    return {
      ConditionCheck: {
        TableName: this.userRolesTable,
        Key: { userId, roleName },
        ConditionExpression: 'attribute_exists(roleName)',
      },
    };
  }

  private deleteRow(userId: string, roleName: string): TransactItem {
    return {
      Delete: {
        TableName: this.userRolesTable,
        Key: { userId, roleName },
        ConditionExpression: 'attribute_exists(roleName)',
      },
    };
  }

  private async transact(items: TransactItem[]): Promise<void> {
    if (items.length === 0) return;
    await this.documents.send(new TransactWriteCommand({ TransactItems: items }));
  }

  /** Reads, decides and writes until the write lands on what was read. */
  private async settle<T>(
    userId: string,
    roleName: string,
    decide: (
      holding: RoleHolding | undefined,
      rowExists: boolean,
    ) => { items: TransactItem[]; result: T },
  ): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      const [holding, rowExists] = await Promise.all([
        this.holding(userId, roleName),
        this.rowExists(userId, roleName),
      ]);
      const { items, result } = decide(holding, rowExists);
      try {
        await this.transact(items);
        return result;
      } catch (error) {
        if (!lostRace(error) || attempt === WRITE_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, 15 * attempt));
      }
    }
  }

  /**
   * Adds a time-bound grant: VAMS's row when the user lacks it, else the grant overlaps what is
   * there. A row that was there with no grant of the bot's is permanent and stays at the end.
   */
  async grant(
    userId: string,
    roleName: string,
    entry: GrantEntry,
    at: Date,
  ): Promise<GrantOutcome> {
    return this.settle(userId, roleName, (holding, rowExists) => {
      if (holding?.grants.some((grant) => grant.grantId === entry.grantId)) {
        return { items: [], result: 'already' as const };
      }
      if (!holding) {
        const fresh: RoleHolding = {
          userId,
          roleName,
          keepsRow: rowExists,
          grants: [entry],
          ended: [],
          version: 1,
        };
        return {
          items: [
            this.put(fresh, undefined),
            rowExists ? this.rowIsThere(userId, roleName) : this.addRow(userId, roleName, at),
          ],
          result: rowExists ? ('held-permanently' as const) : ('granted' as const),
        };
      }
      // With no grant running, the row as it is now says whether the role is held without one;
      // a row deleted outside the bot means it is not held permanently any more.
      const keepsRow = holding.grants.length === 0 ? rowExists : holding.keepsRow && rowExists;
      const next: RoleHolding = {
        ...holding,
        keepsRow,
        grants: [...holding.grants, entry],
        version: holding.version + 1,
      };
      // A row deleted outside the bot while grants ran is written again for this one.
      const row = rowExists ? this.rowIsThere(userId, roleName) : this.addRow(userId, roleName, at);
      const result = keepsRow
        ? ('held-permanently' as const)
        : holding.grants.length > 0 && rowExists
          ? ('extended' as const)
          : ('granted' as const);
      return { items: [this.put(next, holding), row], result };
    });
  }

  /** A permanent assignment: the row stays; grants of the role running now end as superseded. */
  async assignPermanently(
    userId: string,
    roleName: string,
    at: Date,
  ): Promise<{ row: 'added' | 'existed'; ended: GrantEntry[] }> {
    return this.settle(userId, roleName, (holding, rowExists) => {
      const row = rowExists ? this.rowIsThere(userId, roleName) : this.addRow(userId, roleName, at);
      const result = { row: rowExists ? ('existed' as const) : ('added' as const) };
      if (!holding) return { items: [row], result: { ...result, ended: [] } };
      if (holding.grants.length === 0) {
        // Ends still to be told: the holding stays until they are, knowing the row is permanent.
        const kept = { ...holding, keepsRow: true, version: holding.version + 1 };
        return { items: [this.put(kept, holding), row], result: { ...result, ended: [] } };
      }
      const ending = endingOf(holding, holding.grants, [], 'made-permanent', at.toISOString());
      return {
        items: [...this.writeHolding(this.afterEnding(holding, ending), holding), row],
        result: { ...result, ended: holding.grants },
      };
    });
  }

  /** Deletes VAMS's row and ends every grant of it, in one transaction. */
  async remove(
    userId: string,
    roleName: string,
    at: Date,
  ): Promise<{ row: 'removed' | 'absent'; ended: GrantEntry[] }> {
    return this.settle(userId, roleName, (holding, rowExists) => {
      const row = rowExists ? [this.deleteRow(userId, roleName)] : [];
      const result = { row: rowExists ? ('removed' as const) : ('absent' as const) };
      if (!holding) return { items: row, result: { ...result, ended: [] } };
      if (holding.grants.length === 0) {
        const gone = { ...holding, keepsRow: false, version: holding.version + 1 };
        return { items: [this.put(gone, holding), ...row], result: { ...result, ended: [] } };
      }
      // The removal is what took the row away, whether now or just before, by the admin guard.
      const ending = endingOf(holding, holding.grants, [], 'removed', at.toISOString());
      const next = {
        ...this.afterEnding(holding, {
          ...ending,
          ended: ending.ended.map((grant) => ({ ...grant, row: 'deleted' as const })),
        }),
        keepsRow: false,
      };
      return {
        items: [...this.writeHolding(next, holding), ...row],
        result: { ...result, ended: holding.grants },
      };
    });
  }

  private afterEnding(holding: RoleHolding, ending: GrantEnding): RoleHolding {
    const next: RoleHolding = {
      ...holding,
      keepsRow: holding.keepsRow || ending.ended.some((grant) => grant.how === 'made-permanent'),
      grants: ending.remaining,
      ended: [...holding.ended, ...ending.ended],
      version: holding.version + 1,
    };
    delete next.closing;
    return next;
  }

  /**
   * Takes a holding to end its due grants: one instance wins, the others leave it. Taken again
   * by anyone once `until` passed (its taker died).
   */
  async claim(holding: RoleHolding, owner: string, until: Date): Promise<RoleHolding | undefined> {
    const next: RoleHolding = {
      ...holding,
      closing: { owner, until: until.toISOString() },
      version: holding.version + 1,
    };
    try {
      await this.transact([this.put(next, holding)]);
      return next;
    } catch (error) {
      if (lostRace(error)) return undefined;
      throw error;
    }
  }

  /**
   * Ends grants of a claimed holding: the row deleted (when the last grant ends and it is not
   * kept) and the grants recorded as ended, in one transaction. A row someone deleted outside
   * the bot meanwhile is not there to delete: said so. Undefined when the claim was lost.
   */
  async end(claimed: RoleHolding, planned: GrantEnding): Promise<RoleHolding | undefined> {
    const { userId, roleName } = claimed;
    let ending = planned;
    // Held permanently, the row stays, unless someone deleted it outside the bot meanwhile.
    const keptByPermanence = !ending.deletesRow && ending.remaining.length === 0;
    if (keptByPermanence && !(await this.rowExists(userId, roleName))) {
      ending = {
        ...ending,
        ended: ending.ended.map((grant) => ({ ...grant, row: 'already-gone' as const })),
      };
    }
    const next = this.afterEnding(claimed, ending);
    try {
      await this.transact([
        ...this.writeHolding(next, claimed),
        ...(ending.deletesRow ? [this.deleteRow(userId, roleName)] : []),
      ]);
      return next;
    } catch (error) {
      if (ending.deletesRow && cancelledAt(error, 1) && !cancelledAt(error, 0)) {
        const gone = this.afterEnding(claimed, {
          ...ending,
          ended: ending.ended.map((grant) => ({ ...grant, row: 'already-gone' as const })),
        });
        try {
          await this.transact(this.writeHolding(gone, claimed));
          return gone;
        } catch (again) {
          if (lostRace(again)) return undefined;
          throw again;
        }
      }
      if (lostRace(error)) return undefined;
      throw error;
    }
  }

  /** Ends the grants of one role now, at the grantee's word. */
  release(
    userId: string,
    roleName: string,
    at: Date,
  ): Promise<{ ended: EndedGrant[]; rowDeleted: boolean } | 'no-grant'> {
    return this.endNow(userId, roleName, at, 'released');
  }

  /** Ends one grant now (a break-glass grant revoked on review); others of the role run on. */
  revoke(
    userId: string,
    roleName: string,
    grantId: string,
    at: Date,
  ): Promise<{ ended: EndedGrant[]; rowDeleted: boolean } | 'no-grant'> {
    return this.endNow(userId, roleName, at, 'revoked', grantId);
  }

  private async endNow(
    userId: string,
    roleName: string,
    at: Date,
    how: 'released' | 'revoked',
    grantId?: string,
  ): Promise<{ ended: EndedGrant[]; rowDeleted: boolean } | 'no-grant'> {
    for (let attempt = 1; attempt <= WRITE_ATTEMPTS; attempt += 1) {
      const holding = await this.holding(userId, roleName);
      const due = (holding?.grants ?? []).filter(
        (grant) => grantId === undefined || grant.grantId === grantId,
      );
      if (!holding || due.length === 0) return 'no-grant';
      const remaining = holding.grants.filter((grant) => !due.includes(grant));
      const ending = endingOf(holding, due, remaining, how, at.toISOString());
      const done = await this.end(holding, ending);
      if (done) {
        const ended = done.ended.filter((grant) =>
          ending.ended.some((mine) => mine.grantId === grant.grantId),
        );
        return { ended, rowDeleted: ended.some((grant) => grant.row === 'deleted') };
      }
    }
    throw new Error(`grants of ${roleName} for ${userId} kept changing; try again`);
  }

  /** Records that the grantee was reminded of these grants' ends; false when it lost the race. */
  async markReminded(
    holding: RoleHolding,
    grantIds: readonly string[],
  ): Promise<RoleHolding | undefined> {
    const next: RoleHolding = {
      ...holding,
      grants: holding.grants.map((grant) =>
        grantIds.includes(grant.grantId) ? { ...grant, reminded: true } : grant,
      ),
      version: holding.version + 1,
    };
    try {
      await this.transact([this.put(next, holding)]);
      return next;
    } catch (error) {
      if (lostRace(error)) return undefined;
      throw error;
    }
  }

  /** Forgets ended grants once they were told of; the holding goes when nothing is left. */
  async told(holding: RoleHolding, grantIds: readonly string[]): Promise<boolean> {
    const next: RoleHolding = {
      ...holding,
      ended: holding.ended.filter((grant) => !grantIds.includes(grant.grantId)),
      version: holding.version + 1,
    };
    try {
      await this.transact(this.writeHolding(next, holding));
      return true;
    } catch (error) {
      if (lostRace(error)) return false;
      throw error;
    }
  }
}
