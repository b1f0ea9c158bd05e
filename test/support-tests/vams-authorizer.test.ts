import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { vamsAuthorizes } from '../support/vams-authorizer';
import { createTestDeployment, type TestDeployment } from '../support/vams-deployment';

const NOW = new Date('2026-01-05T09:00:00Z');
const OWNER = 'key-owner@example.com';
const ROLELESS = 'roleless-user';

let deployment: TestDeployment;

beforeAll(async () => {
  deployment = await createTestDeployment();
  await deployment.addVamsUser(OWNER, ['admin']);
});

afterAll(() => deployment.destroy());

// Written here by hand rather than through src/: these items are what VAMS itself writes.
function newValue(): string {
  return `vams_${randomBytes(48).toString('base64url')}`;
}

async function putVamsKey(options: {
  userId?: string;
  expiresAt?: string;
  isActive?: string;
}): Promise<string> {
  const value = newValue();
  const createdAt = '2026-01-02T10:11:12.345678+00:00';
  await deployment.clients.documents.send(
    new PutCommand({
      TableName: deployment.tables.apiKeys,
      Item: {
        apiKeyId: randomUUID(),
        apiKeyName: `key-${randomUUID().slice(0, 8)}`,
        apiKeyHash: createHash('sha256').update(value, 'utf8').digest('hex'),
        description: 'Pipeline uploads',
        userId: options.userId ?? OWNER,
        createdBy: OWNER,
        createdAt,
        updatedAt: createdAt,
        expiresAt: options.expiresAt ?? '',
        isActive: options.isActive ?? 'true',
      },
    }),
  );
  return value;
}

function authorize(header: string) {
  return vamsAuthorizes(deployment.clients.documents, deployment.tables, header, NOW);
}

test('the value is 69 characters, as VAMS makes them', () => {
  expect(newValue()).toMatch(/^vams_[A-Za-z0-9_-]{64}$/);
});

test('an active key of a user with a role passes bare and after Bearer in any case', async () => {
  const value = await putVamsKey({});
  const allowed = { allowed: true, userId: OWNER };
  expect(await authorize(value)).toEqual(allowed);
  expect(await authorize(`Bearer ${value}`)).toEqual(allowed);
  expect(await authorize(`bearer ${value}`)).toEqual(allowed);
  expect(await authorize(`BEARER \t ${value}`)).toEqual(allowed);
});

test('an inactive key fails', async () => {
  const value = await putVamsKey({ isActive: 'false' });
  expect(await authorize(value)).toEqual({ allowed: false, reason: 'inactive' });
});

test("only the string 'true' is active: 'True' fails", async () => {
  const value = await putVamsKey({ isActive: 'True' });
  expect(await authorize(value)).toEqual({ allowed: false, reason: 'inactive' });
});

test.each(['2026-01-05T08:59:59Z', '2025-12-31T00:00:00+00:00', '2026-01-05T10:00:00+02:00'])(
  'a key that expired at %s, with a zone, fails',
  async (expiresAt) => {
    const value = await putVamsKey({ expiresAt });
    expect(await authorize(value)).toEqual({ allowed: false, reason: 'expired' });
  },
);

test.each(['2026-12-31T00:00:00Z', '2026-12-31T00:00:00+00:00', '2026-01-05T09:00:00Z'])(
  'a key expiring at %s, with a zone, still passes',
  async (expiresAt) => {
    const value = await putVamsKey({ expiresAt });
    expect(await authorize(value)).toEqual({ allowed: true, userId: OWNER });
  },
);

test("VAMS's flaw: a date-only expiry (2020-01-01) never expires, so the key passes", async () => {
  const value = await putVamsKey({ expiresAt: '2020-01-01' });
  expect(await authorize(value)).toEqual({ allowed: true, userId: OWNER });
});

test.each(['2020-01-01T00:00:00', 'next tuesday', '2020-02-30T00:00:00Z'])(
  "VAMS's flaw: a zone-less or unparseable expiry (%s) never expires",
  async (expiresAt) => {
    const value = await putVamsKey({ expiresAt });
    expect(await authorize(value)).toEqual({ allowed: true, userId: OWNER });
  },
);

test('a key whose owner has no role row fails with no-role', async () => {
  const value = await putVamsKey({ userId: ROLELESS });
  expect(await authorize(value)).toEqual({ allowed: false, reason: 'no-role' });
});

test('a well-formed value that no key hashes to fails', async () => {
  await putVamsKey({});
  expect(await authorize(newValue())).toEqual({ allowed: false, reason: 'unknown-key' });
});

test.each(['', 'garbage', 'Bearer', 'Token vams_abc', 'Bearer notakey', 'Bearer vams_a vams_b'])(
  'header %p is malformed',
  async (header) => {
    expect(await authorize(header)).toEqual({ allowed: false, reason: 'malformed' });
  },
);
