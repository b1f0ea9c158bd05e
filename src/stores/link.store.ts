import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';

const linkItem = z.object({ vamsUserId: z.string() });

const linkKey = (slackUserId: string) => ({ pk: `LINK#${slackUserId}`, sk: 'LINK' });

/** Explicit Slack → VAMS links, kept in the bot table. */
export class LinkStore {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async linkedVamsUser(slackUserId: string): Promise<string | undefined> {
    const found = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: linkKey(slackUserId),
        ConsistentRead: true,
      }),
    );
    return found.Item ? linkItem.parse(found.Item).vamsUserId : undefined;
  }

  async link(slackUserId: string, vamsUserId: string, linkedBy: string): Promise<void> {
    await this.documents.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...linkKey(slackUserId),
          slackUserId,
          vamsUserId,
          linkedBy,
          linkedAt: new Date().toISOString(),
        },
      }),
    );
  }
}
