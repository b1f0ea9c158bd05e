import { randomBytes } from 'node:crypto';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { type AuditEvent, auditEvent } from '../domain/audit';
import { type AccessRequest, accessRequest, awaitsReview, isOpen } from '../domain/request';
import { allPages } from './all-pages';
import { isConditionFailure } from './conditional-write';

const requestKey = (id: string) => ({ pk: `REQ#${id}`, sk: 'REQ' });
// Only open requests carry the index attributes: the index is the short list of what is
// pending, approved or executing (or a break-glass grant awaiting its review), so sweeps and
// `/vams requests` never scan. Ended requests with
// notices still to deliver are listed apart, for the sweep.
const OPEN_INDEX_KEY = 'OPEN';
const UNSENT_INDEX_KEY = 'UNSENT';
// A dialog can be submitted once: a replayed submission finds its marker. Kept well past the
// lifetime of a Slack view.
const FILING_KEEP_SECONDS = 7 * 24 * 3600;
const FILING_ATTEMPTS = 4;
// Each request is also listed under its requester, newest first, for their App Home: a Query
// of their own list, never a Scan. Kept for as long as "recent" means.
const ASKED_KEEP_SECONDS = 90 * 24 * 3600;
const askedKey = (slackUserId: string) => `ASKED#${slackUserId}`;
// BatchGetItem reads at most 100 keys per call.
const BATCH_GET_MAX = 100;

function item(request: AccessRequest): Record<string, unknown> {
  const listed =
    isOpen(request.status) || awaitsReview(request)
      ? OPEN_INDEX_KEY
      : (request.outbox ?? []).length > 0
        ? UNSENT_INDEX_KEY
        : undefined;
  const open = listed ? { gsi1pk: listed, gsi1sk: `${request.createdAt}#${request.id}` } : {};
  return { ...requestKey(request.id), ...open, entity: 'request', ...request };
}

/**
 * Another transaction held the item at that moment (a plain put meeting a transaction, or two
 * transactions): the same as losing the race, so the caller reads again and decides again.
 */
function isConflict(error: unknown): boolean {
  if (error instanceof Error && error.name === 'TransactionConflictException') return true;
  return (
    error instanceof TransactionCanceledException &&
    (error.CancellationReasons ?? []).some((reason) => reason.Code === 'TransactionConflict')
  );
}

/** A transaction cancelled because its first item's condition failed. */
function firstConditionFailed(error: unknown): boolean {
  if (!(error instanceof TransactionCanceledException)) return false;
  return error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed';
}

/** Requests and their append-only audit trail, in the bot table. */
export class RequestStore {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** Told of a listed item that is no request any more (edited by hand, say): it is skipped. */
    private readonly onUnreadable: (pk: string) => void = () => undefined,
  ) {}

  /**
   * Stores a new request. With a filing key (the dialog it came from), at most one request is
   * ever filed under that key: a second filing returns false and writes nothing.
   */
  async create(request: AccessRequest, filingKey?: string): Promise<boolean> {
    const put = {
      TableName: this.tableName,
      Item: item(request),
      ConditionExpression: 'attribute_not_exists(pk)',
    };
    const asked = {
      TableName: this.tableName,
      Item: {
        pk: askedKey(request.requester.slackUserId),
        sk: `${request.createdAt}#${request.id}`,
        entity: 'asked',
        requestId: request.id,
        ttl: Math.floor(Date.parse(request.createdAt) / 1000) + ASKED_KEEP_SECONDS,
      },
    };
    if (filingKey === undefined) {
      await this.documents.send(
        new TransactWriteCommand({ TransactItems: [{ Put: put }, { Put: asked }] }),
      );
      return true;
    }
    const marker = {
      TableName: this.tableName,
      Item: {
        pk: `FILING#${filingKey}`,
        sk: 'FILING',
        entity: 'filing',
        requestId: request.id,
        ttl: Math.floor(Date.parse(request.createdAt) / 1000) + FILING_KEEP_SECONDS,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    };
    // A replayed submission arriving at the same moment meets this one's transaction: once that
    // one has ended, the marker says which was first.
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.documents.send(
          new TransactWriteCommand({
            TransactItems: [{ Put: marker }, { Put: put }, { Put: asked }],
          }),
        );
        return true;
      } catch (error) {
        if (firstConditionFailed(error)) return false;
        if (!isConflict(error) || attempt === FILING_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
      }
    }
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
  async replace(next: AccessRequest, events: readonly AuditEvent[] = []): Promise<boolean> {
    const put = {
      TableName: this.tableName,
      Item: item(next),
      ConditionExpression: 'version = :expected',
      ExpressionAttributeValues: { ':expected': next.version - 1 },
    };
    try {
      if (events.length === 0) {
        await this.documents.send(new PutCommand(put));
      } else {
        await this.documents.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: put },
              ...events.map((event) => ({ Put: this.eventPut(event) })),
            ],
          }),
        );
      }
      return true;
    } catch (error) {
      if (isConditionFailure(error) || firstConditionFailed(error) || isConflict(error)) {
        return false;
      }
      throw error;
    }
  }

  /** The newest requests someone filed, newest first: one Query and one batch read. */
  async askedBy(slackUserId: string, limit: number): Promise<AccessRequest[]> {
    const page = await this.documents.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': askedKey(slackUserId) },
        ScanIndexForward: false,
        Limit: Math.min(limit, BATCH_GET_MAX),
      }),
    );
    const ids = (page.Items ?? []).flatMap((entry) =>
      typeof entry.requestId === 'string' ? [entry.requestId] : [],
    );
    if (ids.length === 0) return [];
    const found = new Map<string, AccessRequest>();
    let keys: Record<string, unknown>[] | undefined = ids.map(requestKey);
    // Keys the table did not get to come back unprocessed; ask for those again.
    for (let attempt = 0; keys && keys.length > 0 && attempt < 5; attempt += 1) {
      const answer: BatchGetCommandOutput = await this.documents.send(
        new BatchGetCommand({
          RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: true } },
        }),
      );
      for (const entry of answer.Responses?.[this.tableName] ?? []) {
        const parsed = accessRequest.safeParse(entry);
        if (parsed.success) found.set(parsed.data.id, parsed.data);
      }
      keys = answer.UnprocessedKeys?.[this.tableName]?.Keys;
    }
    return ids.flatMap((id) => {
      const request = found.get(id);
      return request ? [request] : [];
    });
  }

  open(): Promise<AccessRequest[]> {
    return this.listed(OPEN_INDEX_KEY);
  }

  unsent(): Promise<AccessRequest[]> {
    return this.listed(UNSENT_INDEX_KEY);
  }

  // One unreadable item must not stop every sweep and Home tab that lists: it is skipped.
  private async listed(key: string): Promise<AccessRequest[]> {
    const listed = await allPages(
      (startKey) =>
        this.documents.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: 'gsi1',
            KeyConditionExpression: 'gsi1pk = :open',
            ExpressionAttributeValues: { ':open': key },
            ExclusiveStartKey: startKey,
          }),
        ),
      (entry) => {
        const parsed = accessRequest.safeParse(entry);
        if (!parsed.success) this.onUnreadable(String(entry.pk));
        return parsed.success ? parsed.data : undefined;
      },
    );
    return listed.filter((request) => request !== undefined);
  }

  /** An audit line's item: time first for order, a random suffix so that two in one
   * millisecond both land. */
  private eventPut(event: AuditEvent) {
    const sk = `EVT#${event.at}#${randomBytes(4).toString('hex')}`;
    return {
      TableName: this.tableName,
      Item: { pk: `REQ#${event.requestId}`, sk, entity: 'audit', ...event },
      ConditionExpression: 'attribute_not_exists(pk)',
    };
  }

  async appendEvent(event: AuditEvent): Promise<void> {
    try {
      await this.documents.send(new PutCommand(this.eventPut(event)));
    } catch (error) {
      // The key is unique to this call: an item already there is this very put, retried by
      // the SDK after its answer was lost.
      if (!isConditionFailure(error)) throw error;
    }
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
