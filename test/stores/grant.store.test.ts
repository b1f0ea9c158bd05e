import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  endingAt,
  type GrantEnding,
  type GrantEntry,
  type RoleHolding,
} from '../../src/domain/grant';
import { createLogger } from '../../src/logging';
import { DynamoAdminRoleGuard } from '../../src/stores/admin-role-guard.store';
import { GrantStore } from '../../src/stores/grant.store';
import { type GrantAfterword, GrantSweeper } from '../../src/workflow/grants';
import { createTestDeployment, type TestDeployment } from '../support/vams-deployment';

const region = process.env.AWS_REGION ?? 'us-east-1';
const quiet = createLogger('silent');
const T0 = Date.parse('2026-12-03T10:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000);

function entry(grantId: string, endMinutes: number): GrantEntry {
  return {
    grantId,
    requestId: `R${grantId.slice(1)}`,
    requestedBy: 'U0KIM',
    granteeSlackUserId: 'U0KIM',
    start: at(0).toISOString(),
    end: at(endMinutes).toISOString(),
  };
}

/** A store on its own SDK client, counting the role-row deletes it sends to DynamoDB. */
function countingStore(deployment: TestDeployment) {
  const dynamo = new DynamoDBClient({ region });
  const counted = { rowDeletes: 0 };
  dynamo.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { TransactItems?: { Delete?: { TableName?: string } }[] };
      if (context.commandName === 'TransactWriteItemsCommand') {
        for (const item of input.TransactItems ?? []) {
          if (item.Delete?.TableName === deployment.tables.userRoles) counted.rowDeletes += 1;
        }
      }
      return next(args);
    },
    { step: 'initialize', name: 'countRowDeletes' },
  );
  const store = new GrantStore(
    DynamoDBDocumentClient.from(dynamo),
    deployment.tables.bot,
    deployment.tables.userRoles,
  );
  return { store, counted, destroy: () => dynamo.destroy() };
}

function sweeperOn(
  store: GrantStore,
  instanceId: string,
  told: GrantAfterword[],
  reminded: string[],
) {
  return new GrantSweeper({
    records: store,
    tell: async (word) => {
      told.push(word);
      return true;
    },
    remind: async (_holding: RoleHolding, grant: GrantEntry) => {
      reminded.push(grant.grantId);
    },
    logger: quiet,
    instanceId,
    claimMs: 15_000,
  });
}

describe('grants next to VAMS role rows', () => {
  let deployment: TestDeployment;
  let store: GrantStore;
  let counted: { rowDeletes: number };
  let destroy: () => void;
  beforeAll(async () => {
    deployment = await createTestDeployment();
    ({ store, counted, destroy } = countingStore(deployment));
  });
  afterAll(() => {
    destroy();
    deployment.destroy();
  });

  async function row(userId: string, roleName: string) {
    const found = await deployment.clients.documents.send(
      new GetCommand({
        TableName: deployment.tables.userRoles,
        Key: { userId, roleName },
        ConsistentRead: true,
      }),
    );
    return found.Item;
  }

  it('writes the row exactly as VAMS does, read back with VAMS key schema', async () => {
    expect(await store.grant('kim', 'viewer', entry('GAAAA-1', 60), at(0))).toBe('granted');
    const rows = await deployment.clients.documents.send(
      new QueryCommand({
        TableName: deployment.tables.userRoles,
        KeyConditionExpression: 'userId = :u',
        ExpressionAttributeValues: { ':u': 'kim' },
      }),
    );
    expect(rows.Items).toEqual([
      { userId: 'kim', roleName: 'viewer', createdOn: '2026-12-03T10:00:00.000000' },
    ]);
    expect(Object.keys(rows.Items?.[0] ?? {}).sort()).toEqual(['createdOn', 'roleName', 'userId']);
    // The same grant again (a step run twice) changes nothing.
    expect(await store.grant('kim', 'viewer', entry('GAAAA-1', 60), at(1))).toBe('already');
    expect((await store.holding('kim', 'viewer'))?.grants).toHaveLength(1);
  });

  it('ends a grant once its end passed: one row delete, even with two instances at once', async () => {
    await store.grant('ann', 'viewer', entry('GBBBB-1', 1), at(0));
    const other = countingStore(deployment);
    const told: GrantAfterword[] = [];
    const [first, second] = [
      sweeperOn(store, 'one', told, []),
      sweeperOn(other.store, 'two', told, []),
    ];
    const before = counted.rowDeletes + other.counted.rowDeletes;
    // Before its end: nothing.
    await first.sweep(at(0.5));
    expect(await row('ann', 'viewer')).toBeDefined();
    const results = await Promise.all([first.sweep(at(1.1)), second.sweep(at(1.1))]);
    expect(results.reduce((sum, result) => sum + result.ended, 0)).toBe(1);
    expect(counted.rowDeletes + other.counted.rowDeletes - before).toBe(1);
    expect(await row('ann', 'viewer')).toBeUndefined();
    const ends = told.filter((word) => word.key === 'grant-end:GBBBB-1');
    expect(ends.length).toBeGreaterThanOrEqual(1);
    expect(ends[0]?.thread).toContain('the role row was deleted');
    expect(ends[0]?.dm?.slackUserId).toBe('U0KIM');
    // Told once recorded, the holding is gone: later sweeps find nothing to do.
    expect(await store.holding('ann', 'viewer')).toBeUndefined();
    expect((await first.sweep(at(2))).ended).toBe(0);
    other.destroy();
  });

  it('never removes a row the user held before the grant', async () => {
    await deployment.clients.documents.send(
      new PutCommand({
        TableName: deployment.tables.userRoles,
        Item: { userId: 'pat', roleName: 'viewer', createdOn: '2025-01-01T00:00:00.000000' },
      }),
    );
    expect(await store.grant('pat', 'viewer', entry('GCCCC-1', 1), at(0))).toBe('held-permanently');
    const told: GrantAfterword[] = [];
    expect((await sweeperOn(store, 'one', told, []).sweep(at(2))).ended).toBe(1);
    expect(await row('pat', 'viewer')).toEqual({
      userId: 'pat',
      roleName: 'viewer',
      createdOn: '2025-01-01T00:00:00.000000',
    });
    expect(told[0]?.thread).toContain('they hold it permanently');
  });

  it('keeps the row until the later of two overlapping grants ends', async () => {
    await store.grant('joe', 'viewer', entry('GDDDD-1', 10), at(0));
    expect(await store.grant('joe', 'viewer', entry('GEEEE-1', 30), at(5))).toBe('extended');
    const told: GrantAfterword[] = [];
    const sweeper = sweeperOn(store, 'one', told, []);
    await sweeper.sweep(at(11));
    expect(await row('joe', 'viewer')).toBeDefined();
    expect(told.map((word) => word.key)).toEqual(['grant-end:GDDDD-1']);
    expect(told[0]?.thread).toContain('under another grant still running');
    await sweeper.sweep(at(31));
    expect(await row('joe', 'viewer')).toBeUndefined();
    expect(told.map((word) => word.key)).toEqual(['grant-end:GDDDD-1', 'grant-end:GEEEE-1']);
  });

  it('reminds the grantee 15 minutes before the end, once', async () => {
    await store.grant('liz', 'viewer', entry('GFFFF-1', 60), at(0));
    const reminded: string[] = [];
    const sweeper = sweeperOn(store, 'one', [], reminded);
    const of = () => reminded.filter((grantId) => grantId === 'GFFFF-1');
    await sweeper.sweep(at(40));
    expect(of()).toEqual([]);
    await Promise.all([sweeper.sweep(at(46)), sweeperOn(store, 'two', [], reminded).sweep(at(46))]);
    await sweeper.sweep(at(50));
    expect(of()).toEqual(['GFFFF-1']);
  });

  it('says so when the row was deleted outside the bot before the end', async () => {
    await store.grant('rob', 'viewer', entry('GGGGG-1', 1), at(0));
    await deployment.clients.documents.send(
      new DeleteCommand({
        TableName: deployment.tables.userRoles,
        Key: { userId: 'rob', roleName: 'viewer' },
      }),
    );
    const told: GrantAfterword[] = [];
    expect((await sweeperOn(store, 'one', told, []).sweep(at(2))).ended).toBe(1);
    expect(told[0]?.thread).toContain('had already been deleted outside vams-chatops');
    expect(await store.holding('rob', 'viewer')).toBeUndefined();
  });

  it('a permanent assignment over a running grant keeps the row past its end', async () => {
    await store.grant('sam', 'viewer', entry('GHHHH-1', 5), at(0));
    const made = await store.assignPermanently('sam', 'viewer', at(1));
    expect(made).toEqual({
      row: 'existed',
      ended: [expect.objectContaining({ grantId: 'GHHHH-1' })],
    });
    const told: GrantAfterword[] = [];
    await sweeperOn(store, 'one', told, []).sweep(at(6));
    expect(await row('sam', 'viewer')).toBeDefined();
    expect(told.map((word) => word.thread)).toEqual([
      expect.stringContaining('ended because the role was assigned permanently'),
    ]);
  });

  it('a release ends the grant at once and deletes the row it gave', async () => {
    await store.grant('amy', 'viewer', entry('GJJJJ-1', 60), at(0));
    const released = await store.release('amy', 'viewer', at(1));
    expect(released).toEqual({
      ended: [expect.objectContaining({ grantId: 'GJJJJ-1', how: 'released', row: 'deleted' })],
      rowDeleted: true,
    });
    expect(await row('amy', 'viewer')).toBeUndefined();
    expect(await store.release('amy', 'viewer', at(2))).toBe('no-grant');
  });

  it('a grant given while another instance holds the claim is not lost by its end', async () => {
    await store.grant('eve', 'viewer', entry('GKKKK-1', 1), at(0));
    const holding = await store.holding('eve', 'viewer');
    if (!holding) throw new Error('no holding');
    const claimed = await store.claim(holding, 'dead-instance', at(1.5));
    expect(claimed).toBeDefined();
    // A new grant lands between the claim and the end: the claimed end must not delete its row.
    await store.grant('eve', 'viewer', entry('GLLLL-1', 60), at(1.2));
    const told: GrantAfterword[] = [];
    // The claimer, alive after all, cannot end what changed since its claim.
    expect(
      await store.end(claimed as RoleHolding, endingAt(holding, at(1.3)) as GrantEnding),
    ).toBeUndefined();
    expect(await row('eve', 'viewer')).toBeDefined();
    // After the dead instance's claim lapsed, another ends only the grant whose end passed.
    await sweeperOn(store, 'one', told, []).sweep(at(2));
    expect(await row('eve', 'viewer')).toBeDefined();
    expect((await store.holding('eve', 'viewer'))?.grants.map((grant) => grant.grantId)).toEqual([
      'GLLLL-1',
    ]);
  });

  it('one unreadable grant item does not stop the others from ending', async () => {
    await deployment.clients.documents.send(
      new PutCommand({
        TableName: deployment.tables.bot,
        Item: {
          pk: 'ROLEGRANT#broken',
          sk: 'ROLE#viewer',
          userId: 'broken',
          roleName: 'viewer',
          grants: [{ grantId: 'GBAD' }],
          gsi1pk: 'GRANTS',
          gsi1sk: '1970-01-01T00:00:00.000Z#broken#viewer',
        },
      }),
    );
    await store.grant('ivy', 'viewer', entry('GMMMM-1', 1), at(0));
    await sweeperOn(store, 'one', [], []).sweep(at(2));
    expect(await row('ivy', 'viewer')).toBeUndefined();
  });

  it('a row deleted outside the bot is no longer permanent: a later grant removes it at its end', async () => {
    await deployment.clients.documents.send(
      new PutCommand({
        TableName: deployment.tables.userRoles,
        Item: { userId: 'kai', roleName: 'viewer', createdOn: '2025-01-01T00:00:00.000000' },
      }),
    );
    expect(await store.grant('kai', 'viewer', entry('GNNNN-1', 30), at(0))).toBe(
      'held-permanently',
    );
    await deployment.clients.documents.send(
      new DeleteCommand({
        TableName: deployment.tables.userRoles,
        Key: { userId: 'kai', roleName: 'viewer' },
      }),
    );
    expect(await store.grant('kai', 'viewer', entry('GPPPP-1', 60), at(1))).toBe('granted');
    const told: GrantAfterword[] = [];
    await sweeperOn(store, 'one', told, []).sweep(at(61));
    expect(await row('kai', 'viewer')).toBeUndefined();
    expect(told.map((word) => word.thread).join('\n')).not.toContain('they hold it permanently');
  });

  it('a removal ends running grants, and a grant given before that is told still ends its row', async () => {
    await store.grant('lou', 'viewer', entry('GQQQQ-1', 30), at(0));
    expect(await store.remove('lou', 'viewer', at(1))).toEqual({
      row: 'removed',
      ended: [expect.objectContaining({ grantId: 'GQQQQ-1' })],
    });
    expect(await store.grant('lou', 'viewer', entry('GRRRR-1', 10), at(2))).toBe('granted');
    const told: GrantAfterword[] = [];
    await sweeperOn(store, 'one', told, []).sweep(at(13));
    expect(await row('lou', 'viewer')).toBeUndefined();
    const said = told.map((word) => word.thread).join('\n');
    expect(said).toContain('ended because the role was removed');
    expect(said).not.toContain('outside vams-chatops');
  });

  it('an end that cannot be told yet stays for a later sweep', async () => {
    await store.grant('max', 'viewer', entry('GSSSS-1', 1), at(0));
    let open = true;
    const told: string[] = [];
    const sweeper = new GrantSweeper({
      records: store,
      tell: async (word) => {
        if (open) return false;
        told.push(word.key);
        return true;
      },
      remind: async () => {},
      logger: quiet,
      instanceId: 'one',
      claimMs: 15_000,
    });
    await sweeper.sweep(at(2));
    expect(await row('max', 'viewer')).toBeUndefined();
    expect((await store.holding('max', 'viewer'))?.ended.map((grant) => grant.grantId)).toEqual([
      'GSSSS-1',
    ]);
    open = false;
    await sweeper.sweep(at(3));
    expect(told).toEqual(['grant-end:GSSSS-1']);
    expect(await store.holding('max', 'viewer')).toBeUndefined();
  });

  it('an admin on a grant does not count as the admin who stays', async () => {
    const guard = new DynamoAdminRoleGuard(
      deployment.clients.documents,
      deployment.tables,
      ['admin'],
      undefined,
      (held) => store.grantHeld(held),
    );
    await deployment.clients.documents.send(
      new PutCommand({
        TableName: deployment.tables.userRoles,
        Item: { userId: 'boss', roleName: 'admin', createdOn: '2025-01-01T00:00:00.000000' },
      }),
    );
    await store.grant('temp', 'admin', entry('GTTTT-1', 60), at(0));
    expect(await guard.removeAdminRole('boss', 'admin')).toBe('last-admin');
    expect(await row('boss', 'admin')).toBeDefined();
  });
});
