import { DomainError } from '../../src/domain/errors';
import { CognitoAdmin } from '../../src/gateways/cognito-admin.gateway';
import { createTestDeployment, type TestDeployment } from '../support/vams-deployment';

describe('Cognito admin calls on a user who is not in the pool', () => {
  let deployment: TestDeployment;
  beforeAll(async () => {
    deployment = await createTestDeployment();
  });
  afterAll(() => deployment.destroy());

  it('fail with a reason people can read, not Cognito’s own error', async () => {
    const admin = new CognitoAdmin(deployment.clients.cognito, deployment.userPoolId);
    const gone = admin.disableUser('left-yesterday');
    await expect(gone).rejects.toBeInstanceOf(DomainError);
    await expect(admin.signOutEverywhere('left-yesterday')).rejects.toMatchObject({
      code: 'user-gone',
      message: 'there is no Cognito user left-yesterday any more',
    });
    expect(await admin.findUser('left-yesterday')).toBeUndefined();
  });
});
