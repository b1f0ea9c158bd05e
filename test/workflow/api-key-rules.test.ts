import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { AccessRequest } from '../../src/domain/request';
import { checkKeyForm, keyOwnerProblem, rotatedName } from '../../src/kinds/api-key/key-rules';
import { type ApiKeyDelivery, apiKeyExecutor } from '../../src/kinds/api-key/steps';
import { createLogger } from '../../src/logging';
import { VamsApiKeyStore } from '../../src/stores/vams-api-keys.store';
import { VamsRoleCatalog } from '../../src/stores/vams-roles.store';
import {
  apiKeyExpiry,
  apiKeyHash,
  newApiKeyValue,
  zonedInstant,
} from '../../src/vams/api-key-format';
import type { StepContext } from '../../src/workflow/workflow';
import { apiKeyItem } from '../support/onboarding-flow';
import { createTestDeployment, type TestDeployment } from '../support/vams-deployment';

describe('VAMS API key values', () => {
  it('are vams_ and 48 random bytes as unpadded base64url: 69 characters, never repeated', () => {
    const values = Array.from({ length: 200 }, newApiKeyValue);
    for (const value of values) {
      expect(value).toMatch(/^vams_[A-Za-z0-9_-]{64}$/);
      expect(Buffer.from(value.slice(5), 'base64url')).toHaveLength(48);
    }
    expect(new Set(values).size).toBe(values.length);
  });

  it('are stored as the lowercase hex SHA-256 of the whole value', () => {
    // The published SHA-256 test vector for "abc".
    expect(apiKeyHash('abc')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  it('expire at a time written with its zone, to the second', () => {
    expect(apiKeyExpiry(new Date('2026-12-31T12:34:56.789Z'))).toBe('2026-12-31T12:34:56Z');
  });

  it('read expiries as VAMS does: without a zone, a key never expires', () => {
    expect(zonedInstant('')).toBeUndefined();
    expect(zonedInstant('2026-12-31')).toBeUndefined();
    expect(zonedInstant('2026-12-31T00:00:00')).toBeUndefined();
    expect(zonedInstant('soon')).toBeUndefined();
    expect(zonedInstant('2026-12-31T00:00:00Z')?.toISOString()).toBe('2026-12-31T00:00:00.000Z');
    expect(zonedInstant('2026-12-31T01:00:00+01:00')?.toISOString()).toBe(
      '2026-12-31T00:00:00.000Z',
    );
  });
});

describe('the key dialog’s rules', () => {
  const now = new Date('2026-11-24T18:00:00Z');
  const limits = { defaultDays: 90, maxDays: 365 };
  const form = (overrides: Partial<Parameters<typeof checkKeyForm>[0]>) =>
    checkKeyForm(
      { name: 'ci', description: 'CI', expires: '2027-01-01', reason: 'why', ...overrides },
      now,
      limits,
    );

  it('accepts names and descriptions up to 256 characters, trimmed, and not one more', () => {
    expect(form({ name: ` ${'n'.repeat(256)} `, description: 'd'.repeat(256) })).toMatchObject({
      ok: true,
      name: 'n'.repeat(256),
    });
    expect(form({ name: 'n'.repeat(257) })).toMatchObject({
      ok: false,
      errors: { name: expect.stringContaining('256') },
    });
    expect(form({ description: 'd'.repeat(257) })).toMatchObject({
      ok: false,
      errors: { description: expect.stringContaining('256') },
    });
    expect(form({ name: '  ', description: ' ', reason: '' })).toMatchObject({
      ok: false,
      errors: {
        name: expect.any(String),
        description: expect.any(String),
        reason: expect.any(String),
      },
    });
  });

  it('takes an expiry from today to API_KEY_MAX_DAYS ahead, as the end of that day in UTC', () => {
    expect(form({ expires: '2026-11-24' })).toMatchObject({
      ok: true,
      expiresAt: '2026-11-24T23:59:59Z',
    });
    expect(form({ expires: '2027-11-24' })).toMatchObject({
      ok: true,
      expiresAt: '2027-11-24T23:59:59Z',
    });
    expect(form({ expires: '2027-11-25' })).toMatchObject({
      ok: false,
      errors: { expires: 'At most 365 days ahead: 2027-11-24 or earlier.' },
    });
    expect(form({ expires: '2026-11-23' })).toMatchObject({
      ok: false,
      errors: { expires: expect.any(String) },
    });
    expect(form({ expires: '' })).toMatchObject({
      ok: false,
      errors: { expires: expect.any(String) },
    });
  });

  it('names a rotated key after the old one, within 256 characters', () => {
    expect(rotatedName('ci', now, '1')).toBe('ci rotated 2026-11-24');
    expect(rotatedName('ci', now, '2')).toBe('ci rotated 2026-11-24 2');
    const long = rotatedName('x'.repeat(256), now, '1');
    expect(long).toHaveLength(256);
    expect(long.endsWith(' rotated 2026-11-24')).toBe(true);
  });

  it('takes key names by VAMS’s rule, saying which characters are not allowed', () => {
    expect(form({ name: 'ci-bot_uploads.v2 nightly' })).toMatchObject({ ok: true });
    const refused = form({ name: 'ci (nightly)/#1' });
    expect(refused).toMatchObject({ ok: false, errors: { name: expect.any(String) } });
    const problem = refused.ok ? '' : (refused.errors.name ?? '');
    expect(problem).toContain(
      'letters (a–z, A–Z), digits, spaces, hyphens (-), dots (.) and underscores (_)',
    );
    expect(problem).toContain('"(" ")" "/" "#"');
    expect(form({ name: 'zero\u200bwidth' })).toMatchObject({
      ok: false,
      errors: { name: expect.stringContaining('U+200B') },
    });
    expect(form({ name: 'bom\ufeff name' }).ok).toBe(false);
  });

  it('gives rotated keys names that VAMS’s rule accepts, whatever the old name', () => {
    const vamsRule = /^[a-zA-Z0-9\-._\s]{1,256}$/;
    for (const [old, attempt] of [
      ['ci', '1'],
      ['ci', '7'],
      ['ci (rotated 2026-01-02)', '1'],
      ['odd/name: (v2)', '3'],
      ['ü'.repeat(300), '1'],
      ['y'.repeat(256), '12'],
      ['ci rotated 2026-01-02 rotated 2026-03-04 2', '1'],
    ] as const) {
      const name = rotatedName(old, now, attempt);
      expect(name).toMatch(vamsRule);
      expect(name.length).toBeLessThanOrEqual(256);
    }
    // An earlier rotation's date gives way to the new one instead of piling up.
    expect(rotatedName('ci (rotated 2026-01-02)', now, '1')).toBe('ci rotated 2026-11-24');
    expect(rotatedName('ci rotated 2026-01-02 3', now, '1')).toBe('ci rotated 2026-11-24');
    expect(rotatedName('odd/name: (v2)', now, '1')).toBe('odd name v2 rotated 2026-11-24');
  });

  it('refuses owners VAMS would refuse or whose key would get 403 everywhere', async () => {
    const roles: Record<string, string[]> = {
      fine: ['viewer', 'secure'],
      'mfa-only': ['secure'],
      roleless: [],
    };
    const enabled: Record<string, boolean> = { fine: true, 'mfa-only': true, dana: false };
    roles.dana = ['viewer'];
    roles['ci-bot'] = ['viewer'];
    const ports = {
      cognitoUserEnabled: async (userId: string) => enabled[userId],
      rolesOf: async (userId: string) => roles[userId] ?? [],
      usableWithApiKeys: async (names: readonly string[]) =>
        names.filter((name) => name === 'viewer'),
    };
    expect(await keyOwnerProblem(ports, 'fine')).toBeUndefined();
    expect(await keyOwnerProblem(ports, 'mfa-only')).toContain('require MFA');
    expect(await keyOwnerProblem(ports, 'roleless')).toContain('holds no VAMS role');
    expect(await keyOwnerProblem(ports, 'global')).toContain('does not allow');
    expect(await keyOwnerProblem(ports, 'a b')).toContain('does not allow');
    // VAMS's authorizer ignores the Cognito user, so a disabled one gets no key; an identity
    // with roles and no Cognito user at all (a CI bot) is fine, as in VAMS.
    expect(await keyOwnerProblem(ports, 'dana')).toContain('Cognito user dana is disabled');
    expect(await keyOwnerProblem(ports, 'ci-bot')).toBeUndefined();
  });
});

describe('the delivery step, against DynamoDB Local', () => {
  let deployment: TestDeployment;
  let store: VamsApiKeyStore;
  beforeAll(async () => {
    deployment = await createTestDeployment();
    store = new VamsApiKeyStore(deployment.clients.documents, deployment.tables.apiKeys);
  });
  afterAll(() => deployment.destroy());

  it('reads roles usable by API keys as VAMS does: mfaRequired false or absent, nothing else', async () => {
    const flags: Record<string, Record<string, unknown>> = {
      absent: {},
      'false-bool': { mfaRequired: false },
      'true-bool': { mfaRequired: true },
      'null-value': { mfaRequired: null },
      'false-string': { mfaRequired: 'false' },
    };
    for (const [roleName, flag] of Object.entries(flags)) {
      await deployment.clients.documents.send(
        new PutCommand({
          TableName: deployment.tables.roles,
          Item: { roleName, id: randomUUID(), description: roleName, ...flag },
        }),
      );
    }
    const catalog = new VamsRoleCatalog(deployment.clients.documents, deployment.tables.roles);
    expect(await catalog.usableWithApiKeys([...Object.keys(flags), 'missing'])).toEqual([
      'absent',
      'false-bool',
    ]);
  });

  function keyRequest(): AccessRequest {
    return {
      kind: 'key.create',
      id: `R${randomUUID().slice(0, 8).toUpperCase()}`,
      params: {
        apiKeyId: randomUUID(),
        ownerUserId: 'owner@example.com',
        name: `key-${randomUUID()}`,
        description: 'CI',
        expiresAt: '2027-01-01T23:59:59Z',
        deliverTo: 'U0OWNER',
      },
      reason: 'why',
      requester: { slackUserId: 'U0OWNER', vamsUserId: 'owner@example.com' },
      subject: 'owner@example.com',
      status: 'executing',
      approvals: [],
      requiredApprovals: 1,
      preflight: [],
      createdAt: '2026-11-24T00:00:00.000Z',
      expiresAt: '2026-11-25T00:00:00.000Z',
      steps: [],
      version: 1,
    };
  }

  function context(request: AccessRequest): StepContext {
    return {
      request,
      now: new Date('2026-11-24T18:00:00Z'),
      log: createLogger('silent'),
      fence: async () => {},
      resumed: false,
    };
  }

  function deliveryStep(deliveries: ApiKeyDelivery[], failing: { next: boolean }) {
    const executor = apiKeyExecutor({
      apiKeys: store,
      ownerProblem: async () => undefined,
      recipientProblem: async () => undefined,
      sendApiKey: async (delivery) => {
        if (failing.next) {
          failing.next = false;
          throw new Error('channel_not_found');
        }
        deliveries.push(delivery);
      },
      retireKeyDms: async () => 0,
    });
    const request = keyRequest();
    const step = executor.steps(request).find((candidate) => candidate.name === 'deliver-key');
    if (!step?.reconcile) throw new Error('no delivery step');
    return { step: { run: step.run, reconcile: step.reconcile }, request };
  }

  it('refuses to create a key whose chosen expiry passed while the request waited', async () => {
    const request = keyRequest();
    if (request.kind !== 'key.create') throw new Error('fixture');
    request.params.expiresAt = '2026-11-24T17:59:59Z';
    const executor = apiKeyExecutor({
      apiKeys: store,
      ownerProblem: async () => undefined,
      recipientProblem: async () => undefined,
      sendApiKey: async () => undefined,
      retireKeyDms: async () => 0,
    });
    // The steps in order, as the workflow runs them: it stops at the first that fails.
    const runAll = async () => {
      for (const step of executor.steps(request)) await step.run(context(request));
    };
    await expect(runAll()).rejects.toThrow('passed before the request was approved');
    expect(await apiKeyItem(deployment, request.params.apiKeyId)).toBeUndefined();
  });

  it('a failed DM leaves the key inactive; running again replaces it with one that was delivered', async () => {
    const deliveries: ApiKeyDelivery[] = [];
    const { step, request } = deliveryStep(deliveries, { next: true });
    if (request.kind !== 'key.create') throw new Error('fixture');
    await expect(step.run(context(request))).rejects.toThrow('left inactive');
    const undelivered = await apiKeyItem(deployment, request.params.apiKeyId);
    expect(undelivered?.isActive).toBe('false');
    expect(await step.reconcile(context(request))).toBeUndefined();

    await step.run(context(request));
    const [delivery] = deliveries;
    const delivered = await apiKeyItem(deployment, request.params.apiKeyId);
    expect(delivered?.isActive).toBe('true');
    expect(delivered?.apiKeyHash).toBe(apiKeyHash(delivery?.value ?? ''));
    expect(delivered?.apiKeyHash).not.toBe(undelivered?.apiKeyHash);
    expect(await step.reconcile(context(request))).toContain('is active');
  });
});
