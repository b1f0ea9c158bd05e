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
