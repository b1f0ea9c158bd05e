import { DeleteCommand, type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure } from './conditional-write';

// Kept a month past the expiry it was about, then DynamoDB's TTL removes it.
const KEEP_SECONDS = 30 * 86_400;
const key = (apiKeyId: string, expiresAt: string) => ({
  pk: `REMIND#${apiKeyId}`,
  sk: `EXPIRES#${expiresAt}`,
});

/**
 * One expiry reminder per key and expiry date, whichever instance sweeps first: a conditional
 * put claims it. A new expiry date (the key was extended) is a new reminder.
 */
export class ReminderStore {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async claim(apiKeyId: string, expiresAt: string, expiry: Date): Promise<boolean> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...key(apiKeyId, expiresAt),
            entity: 'reminder',
            ttl: Math.floor(expiry.getTime() / 1000) + KEEP_SECONDS,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** Gives a claim back when the reminder could not be sent, so the next sweep tries again. */
  async release(apiKeyId: string, expiresAt: string): Promise<void> {
    await this.documents.send(
      new DeleteCommand({ TableName: this.tableName, Key: key(apiKeyId, expiresAt) }),
    );
  }
}
