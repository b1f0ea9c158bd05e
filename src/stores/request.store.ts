import { randomBytes } from 'node:crypto';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { type AccessRequest, accessRequest, isOpen } from '../workflow/request';
import { allPages } from './all-pages';
import { isConditionFailure } from './conditional-write';

const requestKey = (id: string) => ({ pk: `REQ#${id}`, sk: 'REQ' });
// Only open requests carry the index attributes: the index is the short list of what is
// pending, approved or executing, so sweeps and `/vams requests` never scan.
const OPEN_INDEX_KEY = 'OPEN';

export const auditEvent = z.object({
  requestId: z.string(),
  at: z.string(),
  type: z.string(),
  actor: z.string().optional(),
  detail: z.record(z.string(), z.unknown()).optional(),
});
export type AuditEvent = z.infer<typeof auditEvent>;

function item(request: AccessRequest): Record<string, unknown> {
  const open = isOpen(request.status)
    ? { gsi1pk: OPEN_INDEX_KEY, gsi1sk: `${request.createdAt}#${request.id}` }
    : {};
  return { ...requestKey(request.id), ...open, entity: 'request', ...request };
}

/** Requests and their append-only audit trail, in the bot table. */
export class RequestStore {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(request: AccessRequest): Promise<void> {
    await this.documents.send(
      new PutCommand({
        TableName: this.tableName,
        Item: item(request),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async get(id: string): Promise<AccessRequest | undefined> {
    const found = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: requestKey(id), ConsistentRead: true }),
    );
    return found.Item ? accessRequest.parse(found.Item) : undefined;
  }

  /**
   * Writes `next` only if the stored version is still `next.version - 1`. A lost race returns
   * false: the caller re-reads and decides again; it is never an error.
   */
  async replace(next: AccessRequest): Promise<boolean> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item(next),
          ConditionExpression: 'version = :expected',
          ExpressionAttributeValues: { ':expected': next.version - 1 },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async open(): Promise<AccessRequest[]> {
    return allPages(
      (startKey) =>
        this.documents.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: 'gsi1',
            KeyConditionExpression: 'gsi1pk = :open',
            ExpressionAttributeValues: { ':open': OPEN_INDEX_KEY },
            ExclusiveStartKey: startKey,
          }),
        ),
      (entry) => accessRequest.parse(entry),
    );
  }

  async appendEvent(event: AuditEvent): Promise<void> {
    // Time first for order; a random suffix so that two events in one millisecond both land.
    const sk = `EVT#${event.at}#${randomBytes(4).toString('hex')}`;
    await this.documents.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: `REQ#${event.requestId}`, sk, entity: 'audit', ...event },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async events(requestId: string): Promise<AuditEvent[]> {
    const page = await this.documents.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :evt)',
        ExpressionAttributeValues: { ':pk': `REQ#${requestId}`, ':evt': 'EVT#' },
        ConsistentRead: true,
      }),
    );
    return (page.Items ?? []).map((entry) => auditEvent.parse(entry));
  }
}
