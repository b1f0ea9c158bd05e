import { randomBytes } from 'node:crypto';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
} from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';

const draftItem = z.object({
  owner: z.string(),
  userIds: z.array(z.string()),
  ttl: z.number(),
});
export type OffboardDraft = Omit<z.infer<typeof draftItem>, 'ttl'>;

const DRAFT_SECONDS = 3600;
const key = (id: string) => ({ pk: `DRAFT#${id}`, sk: 'DRAFT' });

/**
 * What a dialog is about, when it is more than `private_metadata` should carry (Slack caps it at
 * 3000 characters; 50 User IDs can exceed that): the dialog carries only the draft's id.
 */
export class DraftStore {
  /** Saves still in flight here, so a dialog submitted at once still finds its draft. */
  private readonly pending = new Map<string, Promise<void>>();

  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => number = Date.now,
  ) {}

  newId(): string {
    return randomBytes(9).toString('base64url');
  }

  save(id: string, draft: OffboardDraft): Promise<void> {
    const saving = this.put(id, draft).finally(() => this.pending.delete(id));
    this.pending.set(id, saving);
    return saving;
  }

  private async put(id: string, draft: OffboardDraft): Promise<void> {
    await this.documents.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...key(id),
          entity: 'draft',
          ...draft,
          ttl: Math.floor(this.now() / 1000) + DRAFT_SECONDS,
        },
      }),
    );
  }

  /**
   * The draft, if it exists, is unexpired and belongs to `owner`. It stays stored: a submission
   * answered with field errors leaves the dialog open, and the next one needs the draft again.
   */
  async find(id: string, owner: string): Promise<OffboardDraft | undefined> {
    await this.pending.get(id)?.catch(() => undefined);
    const found = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: key(id), ConsistentRead: true }),
    );
    const parsed = draftItem.safeParse(found.Item);
    if (!parsed.success || parsed.data.owner !== owner || parsed.data.ttl * 1000 < this.now())
      return undefined;
    return { owner: parsed.data.owner, userIds: parsed.data.userIds };
  }

  async discard(id: string): Promise<void> {
    await this.documents.send(new DeleteCommand({ TableName: this.tableName, Key: key(id) }));
  }
}
