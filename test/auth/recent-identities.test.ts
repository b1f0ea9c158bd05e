import type { Identity } from '../../src/auth/identity';
import { RecentIdentities } from '../../src/auth/recent-identities';

function mapped(slackUserId: string, roles: string[]): Identity {
  return {
    mapped: true,
    slackUserId,
    vamsUserId: `${slackUserId.toLowerCase()}@example.com`,
    source: 'email-is-user-id',
    email: `${slackUserId.toLowerCase()}@example.com`,
    roles,
  };
}

/** A resolver whose answers the test sets, counting how often it is asked. */
function resolver() {
  const roles = new Map<string, string[]>();
  let calls = 0;
  let failing = false;
  return {
    roles,
    calls: () => calls,
    fail: (on: boolean) => {
      failing = on;
    },
    resolve: async (slackUserId: string) => {
      calls += 1;
      if (failing) throw new Error('DynamoDB is down');
      return mapped(slackUserId, roles.get(slackUserId) ?? []);
    },
  };
}

describe('RecentIdentities', () => {
  it('answers again from memory within its few seconds, then resolves anew', async () => {
    const source = resolver();
    source.roles.set('U1', ['viewer']);
    let now = 1_000;
    const recent = new RecentIdentities(source.resolve, 5_000, () => now);
    expect(await recent.identify('U1', 'T1')).toMatchObject({ roles: ['viewer'] });
    source.roles.set('U1', ['viewer', 'admin']);
    now += 4_999;
    expect(await recent.identify('U1', 'T1')).toMatchObject({ roles: ['viewer'] });
    expect(source.calls()).toBe(1);
    now += 1;
    expect(await recent.identify('U1', 'T1')).toMatchObject({ roles: ['viewer', 'admin'] });
    expect(source.calls()).toBe(2);
  });

  it('keeps people and workspaces apart', async () => {
    const source = resolver();
    source.roles.set('U1', ['admin']);
    const recent = new RecentIdentities(source.resolve, 5_000, () => 0);
    expect(await recent.identify('U1', 'T1')).toMatchObject({
      slackUserId: 'U1',
      roles: ['admin'],
    });
    expect(await recent.identify('U2', 'T1')).toMatchObject({ slackUserId: 'U2', roles: [] });
    await recent.identify('U1', 'T2');
    expect(source.calls()).toBe(3);
  });

  it('shares one resolution between look-ups that arrive together', async () => {
    const source = resolver();
    const recent = new RecentIdentities(source.resolve, 5_000, () => 0);
    await Promise.all([recent.identify('U1', 'T1'), recent.identify('U1', 'T1')]);
    expect(source.calls()).toBe(1);
  });

  it('does not remember a failure', async () => {
    const source = resolver();
    const recent = new RecentIdentities(source.resolve, 5_000, () => 0);
    source.fail(true);
    await expect(recent.identify('U1', 'T1')).rejects.toThrow('DynamoDB is down');
    source.fail(false);
    expect(await recent.identify('U1', 'T1')).toMatchObject({ mapped: true });
    expect(source.calls()).toBe(2);
  });

  it('with 0 ms, resolves every time', async () => {
    const source = resolver();
    const recent = new RecentIdentities(source.resolve, 0, () => 0);
    await recent.identify('U1', 'T1');
    await recent.identify('U1', 'T1');
    expect(source.calls()).toBe(2);
  });
});
