import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
  ScanCommand,
} from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { allPages } from './all-pages';

const roleItem = z.object({
  roleName: z.string(),
  description: z.string().optional(),
  /** VAMS writes a BOOL; anything else is shown as it counts in VAMS (see `usableWithApiKeys`). */
  mfaRequired: z.unknown().optional(),
});
export type VamsRole = z.infer<typeof roleItem>;
const roleFlags = z.object({ roleName: z.string(), mfaRequired: z.unknown().optional() });

const CATALOG_SECONDS = 30;

/**
 * VAMS's roles table. It has no index to list by, so the catalogue (names and descriptions,
 * typically tens of roles) is read whole and kept for seconds, not read per keystroke.
 */
export class VamsRoleCatalog {
  private cached: { roles: VamsRole[]; until: number } | undefined;

  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => number = Date.now,
  ) {}

  async all(): Promise<VamsRole[]> {
    if (this.cached && this.cached.until > this.now()) return this.cached.roles;
    const roles = await allPages(
      (startKey) =>
        this.documents.send(
          new ScanCommand({
            TableName: this.tableName,
            ProjectionExpression: 'roleName, description, mfaRequired',
            ExclusiveStartKey: startKey,
          }),
        ),
      (entry) => roleItem.parse(entry),
    );
    roles.sort((a, b) => a.roleName.localeCompare(b.roleName));
    this.cached = { roles, until: this.now() + CATALOG_SECONDS * 1000 };
    return roles;
  }

  async search(query: string, limit: number): Promise<VamsRole[]> {
    const wanted = query.trim().toLowerCase();
    const roles = await this.all();
    return roles.filter((role) => role.roleName.toLowerCase().includes(wanted)).slice(0, limit);
  }

  /** The names among `roleNames` that the roles table does not hold, read now (no cache). */
  async missing(roleNames: readonly string[]): Promise<string[]> {
    const found = new Set((await this.readNow(roleNames)).map((role) => role.roleName));
    return [...new Set(roleNames)].filter((roleName) => !found.has(roleName));
  }

  /**
   * The names among `roleNames` that exist and work in an API-key session. VAMS keeps the roles
   * matching `attribute_not_exists(mfaRequired) OR mfaRequired = false` there: a role written
   * without the attribute counts, one with any other value (true, NULL, a string) does not.
   */
  async usableWithApiKeys(roleNames: readonly string[]): Promise<string[]> {
    return (await this.readNow(roleNames))
      .filter((role) => role.mfaRequired === undefined || role.mfaRequired === false)
      .map((role) => role.roleName)
      .sort();
  }

  private async readNow(roleNames: readonly string[]): Promise<z.infer<typeof roleFlags>[]> {
    const unique = [...new Set(roleNames)];
    const roles: z.infer<typeof roleFlags>[] = [];
    for (let start = 0; start < unique.length; start += 100) {
      let keys: Record<string, unknown>[] | undefined = unique
        .slice(start, start + 100)
        .map((roleName) => ({ roleName }));
      while (keys && keys.length > 0) {
        const page: BatchGetCommandOutput = await this.documents.send(
          new BatchGetCommand({
            RequestItems: {
              [this.tableName]: {
                Keys: keys,
                ProjectionExpression: 'roleName, mfaRequired',
                ConsistentRead: true,
              },
            },
          }),
        );
        for (const entry of page.Responses?.[this.tableName] ?? [])
          roles.push(roleFlags.parse(entry));
        keys = page.UnprocessedKeys?.[this.tableName]?.Keys;
      }
    }
    return roles;
  }
}
