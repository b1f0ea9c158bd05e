import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { RequestStore } from '../../src/stores/request.store';
import { pendingOnboarding } from '../support/memory-workflow';
import { createTestDeployment, type TestDeployment } from '../support/vams-deployment';

const region = process.env.AWS_REGION ?? 'us-east-1';

describe('filing a request under a dialog key', () => {
  let deployment: TestDeployment;
  beforeAll(async () => {
    deployment = await createTestDeployment();
  });
  afterAll(() => deployment.destroy());

  it('files a submission whose first try met another transaction on its marker', async () => {
    const dynamo = new DynamoDBClient({ region });
    // As when a replayed submission's transaction holds the marker at that moment.
    let conflicts = 1;
    dynamo.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'TransactWriteItemsCommand' && conflicts > 0) {
          conflicts -= 1;
          throw new TransactionCanceledException({
            message: 'Transaction cancelled',
            $metadata: {},
            CancellationReasons: [{ Code: 'TransactionConflict' }, { Code: 'None' }],
          });
        }
        return next(args);
      },
      { step: 'initialize', name: 'conflictOnce' },
    );
    const store = new RequestStore(DynamoDBDocumentClient.from(dynamo), deployment.tables.bot);
    const request = pendingOnboarding({ id: 'RCONFLICT1', version: 1 });
    expect(await store.create(request, 'V0CONFLICT')).toBe(true);
    expect((await store.get('RCONFLICT1'))?.id).toBe('RCONFLICT1');
    // The same dialog again: the marker says it was filed.
    expect(await store.create({ ...request, id: 'RCONFLICT2' }, 'V0CONFLICT')).toBe(false);
    dynamo.destroy();
  });
});

describe("a requester's own requests", () => {
  let deployment: TestDeployment;
  beforeAll(async () => {
    deployment = await createTestDeployment();
  });
  afterAll(() => deployment.destroy());

  it('lists the newest first, only theirs, as they are now, with one Query and no Scan', async () => {
    const dynamo = new DynamoDBClient({ region });
    const commands: string[] = [];
    dynamo.middlewareStack.add(
      (next, context) => async (args) => {
        commands.push(String(context.commandName));
        return next(args);
      },
      { step: 'initialize', name: 'recordCommands' },
    );
    const store = new RequestStore(DynamoDBDocumentClient.from(dynamo), deployment.tables.bot);
    const requester = { slackUserId: 'U0OWN', vamsUserId: 'own@example.com' };
    for (const [index, id] of ['ROWN1', 'ROWN2', 'ROWN3'].entries()) {
      const createdAt = `2026-12-0${index + 1}T10:00:00.000Z`;
      await store.create(pendingOnboarding({ id, requester, createdAt, version: 1 }), `V0${id}`);
    }
    await store.create(pendingOnboarding({ id: 'ROTHER', version: 1 }));
    const second = await store.get('ROWN2');
    if (!second) throw new Error('ROWN2 was not stored');
    await store.replace({ ...second, status: 'rejected', version: 2 });

    commands.length = 0;
    const listed = await store.askedBy('U0OWN', 2);
    expect(listed.map((request) => [request.id, request.status])).toEqual([
      ['ROWN3', 'pending'],
      ['ROWN2', 'rejected'],
    ]);
    expect(commands).toEqual(['QueryCommand', 'BatchGetItemCommand']);
    expect(await store.askedBy('U0NOBODY', 10)).toEqual([]);
    dynamo.destroy();
  });
});
