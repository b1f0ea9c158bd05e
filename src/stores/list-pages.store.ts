import { randomBytes } from 'node:crypto';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';

/** Who may page a list, and what it is filtered on. */
export interface ListOwner {
  ownerSlackUserId: string;
  prefix: string | undefined;
}

/** Where one page starts: the source's cursor and how many entries came before it. */
export interface PageStart<C> {
  page: number;
  cursor: C;
  before: number;
}

// Paging state only outlives the ephemeral message by accident; an attribute DynamoDB TTL can
// act on keeps the table clean, and reads ignore items past it before TTL gets round to them.
const LIFETIME_SECONDS = 24 * 60 * 60;

const pageItem = z.object({
  ownerSlackUserId: z.string(),
  prefix: z.string().optional(),
  cursor: z.unknown(),
  before: z.number().int().nonnegative(),
  ttl: z.number(),
});

// One item per page (not one per list): a cursor per page visited can outgrow DynamoDB's 400 KB
// item limit on a large pool, and a click then reads exactly one item.
const pageKey = (listId: string, page: number) => ({ pk: `LIST#${listId}`, sk: `PAGE#${page}` });

/**
 * Paging state of lists shown in Slack, in the bot table: buttons carry only `<listId>:<page>`,
 * since a source's cursor (a Cognito PaginationToken) is long and not for people's eyes.
 */
export class ListPageStore<C> {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly cursorSchema: z.ZodType<C>,
    private readonly now: () => number = Date.now,
  ) {}

  /** A new list with the starts of its first pages; returns its id (URL-safe, no `:`). */
  async create(owner: ListOwner, pages: readonly PageStart<C>[]): Promise<string> {
    const listId = randomBytes(9).toString('base64url');
    await Promise.all(pages.map((page) => this.record(listId, owner, page)));
    return listId;
  }

  async record(listId: string, owner: ListOwner, start: PageStart<C>): Promise<void> {
    await this.documents.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...pageKey(listId, start.page),
          entity: 'list-page',
          ownerSlackUserId: owner.ownerSlackUserId,
          prefix: owner.prefix,
          cursor: start.cursor,
          before: start.before,
          ttl: Math.floor(this.now() / 1000) + LIFETIME_SECONDS,
        },
      }),
    );
  }

  /** Undefined when the list or that page was never stored, or has expired. */
  async load(listId: string, page: number): Promise<(ListOwner & PageStart<C>) | undefined> {
    const found = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: pageKey(listId, page),
        ConsistentRead: true,
      }),
    );
    if (!found.Item) return undefined;
    const item = pageItem.parse(found.Item);
    if (item.ttl * 1000 <= this.now()) return undefined;
    return {
      ownerSlackUserId: item.ownerSlackUserId,
      prefix: item.prefix,
      page,
      cursor: this.cursorSchema.parse(item.cursor),
      before: item.before,
    };
  }
}
