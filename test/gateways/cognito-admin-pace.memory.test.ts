import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { CallPace, type PaceClock } from '../../src/aws/throttle';
import { CognitoAdmin } from '../../src/gateways/cognito-admin.gateway';

/** A clock that moves only when the pace waits. */
function fakeClock(): PaceClock {
  let at = 0;
  return {
    now: () => at,
    wait: async (ms: number) => {
      at += ms;
    },
  };
}

type Answer = 'ok' | 'throttled';

/** A Cognito that answers each attempt as told, noting when (on `clock`) each one reached it. */
function scriptedCognito(clock: PaceClock, answers: Answer[]) {
  const reached: { at: number; target: string; username: string }[] = [];
  const json = (status: number, body: unknown, errorType?: string) => ({
    response: {
      statusCode: status,
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
      },
      body: new TextEncoder().encode(JSON.stringify(body)),
    },
  });
  const client = new CognitoIdentityProviderClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 2,
    requestHandler: {
      handle: async (request: { headers: Record<string, string>; body?: unknown }) => {
        const body =
          request.body instanceof Uint8Array ? new TextDecoder().decode(request.body) : '';
        const input: unknown = JSON.parse(body);
        const username =
          typeof input === 'object' && input !== null && 'Username' in input
            ? String(input.Username)
            : '';
        reached.push({
          at: clock.now(),
          target: request.headers['x-amz-target']?.split('.').pop() ?? '',
          username,
        });
        return answers.shift() === 'throttled'
          ? json(
              400,
              { __type: 'TooManyRequestsException', message: 'Rate exceeded' },
              'TooManyRequestsException',
            )
          : json(200, {});
      },
      updateHttpClientConfig: () => undefined,
      httpHandlerConfigs: () => ({}),
    },
  });
  return { client, reached };
}

describe('Cognito admin calls under a shared pace', () => {
  it('wait for their turn, across users, and again for each attempt the SDK retries', async () => {
    const clock = fakeClock();
    const cognito = scriptedCognito(clock, ['throttled', 'ok', 'ok', 'ok']);
    const admin = new CognitoAdmin(cognito.client, 'us-east-1_Test1', new CallPace(10, clock));
    await Promise.all([admin.disableUser('ada'), admin.signOutEverywhere('alan')]);
    await admin.deleteUser('ada');
    expect(cognito.reached).toEqual([
      { at: 0, target: 'AdminDisableUser', username: 'ada' },
      { at: 100, target: 'AdminUserGlobalSignOut', username: 'alan' },
      // The SDK's retry of the throttled call took the next turn, not a free one.
      { at: 200, target: 'AdminDisableUser', username: 'ada' },
      { at: 300, target: 'AdminDeleteUser', username: 'ada' },
    ]);
  });

  it('leave reads out of the pace: a lookup does not wait behind changes', async () => {
    const clock = fakeClock();
    const cognito = scriptedCognito(clock, ['ok', 'ok', 'ok', 'ok']);
    const admin = new CognitoAdmin(cognito.client, 'us-east-1_Test1', new CallPace(10, clock));
    await Promise.all([
      admin.disableUser('ada'),
      admin.disableUser('alan'),
      admin.disableUser('bea'),
      admin.findUser('max'),
    ]);
    expect(cognito.reached.find((call) => call.target === 'AdminGetUser')?.at).toBe(0);
    expect(cognito.reached.map((call) => call.at).sort((a, b) => a - b)).toEqual([0, 0, 100, 200]);
  });

  it('go at once without a pace', async () => {
    const clock = fakeClock();
    const cognito = scriptedCognito(clock, ['ok', 'ok']);
    const admin = new CognitoAdmin(cognito.client, 'us-east-1_Test1');
    await Promise.all([admin.disableUser('ada'), admin.disableUser('alan')]);
    expect(cognito.reached.map((call) => call.at)).toEqual([0, 0]);
  });
});
