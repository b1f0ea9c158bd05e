import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { SlackLink } from '../auth/identity';

// Items written by an operator before links had a command carry only the two ids.
const linkItem = z.object({
  slackUserId: z.string().optional(),
  vamsUserId: z.string(),
  linkedBy: z.string().optional(),
  linkedAt: z.string().optional(),
  requestId: z.string().optional(),
});
const reverseItem = z.object({ slackUserId: z.string() });

const linkKey = (slackUserId: string) => ({ pk: `LINK#${slackUserId}`, sk: 'LINK' });
/** The same link seen from the VAMS user: found with a Get, not a Scan. */
const reverseKey = (vamsUserId: string) => ({ pk: `LINKED#${vamsUserId}`, sk: 'LINK' });

function cancelled(error: unknown): error is TransactionCanceledException {
  return error instanceof TransactionCanceledException;
}

function conditionFailed(error: unknown): boolean {
  return (
    cancelled(error) &&
    (error.CancellationReasons ?? []).some((reason) => reason.Code === 'ConditionalCheckFailed')
  );
}

/**
 * Explicit Slack ↔ VAMS links, kept in the bot table: one item per Slack user and one per VAMS
 * user, always written and removed together. Read with ConsistentRead and never cached: a link
 * made or removed counts at once.
 */
export class LinkStore {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async linkOf(slackUserId: string): Promise<SlackLink | undefined> {
    const found = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: linkKey(slackUserId),
        ConsistentRead: true,
      }),
    );
    if (!found.Item) return undefined;
    const { vamsUserId, linkedBy, linkedAt, requestId } = linkItem.parse(found.Item);
    return { vamsUserId, linkedBy, linkedAt, requestId };
  }

  /** The Slack user linked to this VAMS user, if any. */
  async slackUserOfVamsUser(vamsUserId: string): Promise<string | undefined> {
    const found = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: reverseKey(vamsUserId),
        ConsistentRead: true,
      }),
    );
    return found.Item ? reverseItem.parse(found.Item).slackUserId : undefined;
  }

  /**
   * Links a Slack user to a VAMS user. Writing the same link again changes nothing but its
   * record; `taken` when either user is linked to someone else, and then nothing is written.
   */
  async link(
    slackUserId: string,
    vamsUserId: string,
    linkedBy: string,
    options: { requestId?: string; at?: Date } = {},
  ): Promise<'linked' | 'taken'> {
    const linkedAt = (options.at ?? new Date()).toISOString();
    try {
      await this.documents.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: {
                  ...linkKey(slackUserId),
                  entity: 'link',
                  slackUserId,
                  vamsUserId,
                  linkedBy,
                  linkedAt,
                  ...(options.requestId ? { requestId: options.requestId } : {}),
                },
                ConditionExpression: 'attribute_not_exists(pk) OR vamsUserId = :vamsUserId',
                ExpressionAttributeValues: { ':vamsUserId': vamsUserId },
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: { ...reverseKey(vamsUserId), entity: 'link', slackUserId, vamsUserId },
                ConditionExpression: 'attribute_not_exists(pk) OR slackUserId = :slackUserId',
                ExpressionAttributeValues: { ':slackUserId': slackUserId },
              },
            },
          ],
        }),
      );
      return 'linked';
    } catch (error) {
      if (!conditionFailed(error)) throw error;
      return 'taken';
    }
  }

  /** Removes the link of a Slack user; returns what it was, or undefined when there was none. */
  async unlink(slackUserId: string): Promise<SlackLink | undefined> {
    // A link changed between the read and the delete is read again.
    for (let attempt = 1; ; attempt += 1) {
      const link = await this.linkOf(slackUserId);
      if (!link) return undefined;
      // A link an operator wrote by hand may have no item on the VAMS user's side, or one that
      // names a later link of that VAMS user: that one stays.
      const ownReverse = (await this.slackUserOfVamsUser(link.vamsUserId)) === slackUserId;
      try {
        await this.documents.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Delete: {
                  TableName: this.tableName,
                  Key: linkKey(slackUserId),
                  ConditionExpression: 'vamsUserId = :vamsUserId',
                  ExpressionAttributeValues: { ':vamsUserId': link.vamsUserId },
                },
              },
              ...(ownReverse
                ? [
                    {
                      Delete: {
                        TableName: this.tableName,
                        Key: reverseKey(link.vamsUserId),
                        ConditionExpression: 'slackUserId = :slackUserId',
                        ExpressionAttributeValues: { ':slackUserId': slackUserId },
                      },
                    },
                  ]
                : []),
            ],
          }),
        );
        return link;
      } catch (error) {
        if (!cancelled(error) || attempt === 3) throw error;
      }
    }
  }
}
