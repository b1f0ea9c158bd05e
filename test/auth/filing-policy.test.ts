import { type FilingAsk, filingRefusal, mayFile } from '../../src/auth/filing-policy';
import type { Identity } from '../../src/auth/identity';
import type { RolePolicy } from '../../src/auth/roles';

const policy: RolePolicy = { adminRoles: ['admin'], managerRoles: ['manager'] };

function person(vamsUserId: string, roles: string[]): Identity {
  return {
    mapped: true,
    slackUserId: `U-${vamsUserId}`,
    vamsUserId,
    source: 'email-is-user-id',
    email: `${vamsUserId}@example.com`,
    roles,
  };
}

const admin = person('ada', ['admin']);
const manager = person('max', ['manager']);
const viewer = person('vic', ['viewer']);
const guest: Identity = {
  mapped: false,
  slackUserId: 'U0GUS',
  reason: 'guest',
  email: 'gus@example.com',
};

const codeOf = (identity: Identity, ask: FilingAsk) => filingRefusal(identity, policy, ask)?.code;

const key = { apiKeyId: '0123abcd-0000', ownerUserId: 'vic' };

describe('filingRefusal', () => {
  const everyAsk: FilingAsk[] = [
    { kind: 'user.create' },
    { kind: 'user.disable', userId: 'bob' },
    { kind: 'user.enable', userId: 'bob' },
    { kind: 'user.signout', userId: 'bob' },
    { kind: 'user.reset-password', userId: 'bob' },
    { kind: 'user.update', userId: 'bob' },
    { kind: 'user.offboard', userIds: ['bob'] },
    { kind: 'user.directory' },
    { kind: 'key.request' },
    { kind: 'key.create', ownerUserId: 'ci-bot' },
    { kind: 'key.list', ownerUserId: undefined },
    { kind: 'key.rotate', ...key },
    { kind: 'key.revoke', ...key },
  ];

  it.each(everyAsk)('refuses anyone not mapped to a VAMS user: $kind', (ask) => {
    expect(filingRefusal(guest, policy, ask)).toEqual({
      code: 'not-mapped',
      ask,
      identityReason: 'guest',
      email: 'gus@example.com',
    });
  });

  it.each(everyAsk)('lets an admin ask for anything about someone else: $kind', (ask) => {
    expect(mayFile(admin, policy, ask)).toEqual({ allowed: true, requester: admin });
  });

  it('lets any mapped person ask for onboarding and for a key of their own', () => {
    expect(codeOf(viewer, { kind: 'user.create' })).toBeUndefined();
    expect(codeOf(viewer, { kind: 'key.request' })).toBeUndefined();
  });

  it.each<FilingAsk>([
    { kind: 'user.disable', userId: 'bob' },
    { kind: 'user.enable', userId: 'bob' },
    { kind: 'user.signout', userId: 'bob' },
    { kind: 'user.update', userId: 'bob' },
    { kind: 'user.offboard', userIds: ['bob'] },
    { kind: 'key.create', ownerUserId: 'ci-bot' },
  ])('keeps $kind to admins, managers included', (ask) => {
    expect(codeOf(viewer, ask)).toBe('not-an-admin');
    expect(codeOf(manager, ask)).toBe('not-an-admin');
  });

  it('keeps `key create` to admins even when it names the asker: their own key is `key request`', () => {
    expect(codeOf(viewer, { kind: 'key.create', ownerUserId: 'vic' })).toBe('not-an-admin');
    expect(codeOf(admin, { kind: 'key.create', ownerUserId: 'ada' })).toBeUndefined();
  });

  it('lets admins and managers read the user directory, nobody else', () => {
    const ask: FilingAsk = { kind: 'user.directory' };
    expect(codeOf(manager, ask)).toBeUndefined();
    expect(codeOf(viewer, ask)).toBe('not-an-admin-or-manager');
  });

  it.each<FilingAsk>([
    { kind: 'user.disable', userId: 'ada' },
    { kind: 'user.signout', userId: 'ada' },
    { kind: 'user.offboard', userIds: ['bob', 'ada'] },
  ])('refuses an admin $kind about their own account', (ask) => {
    expect(codeOf(admin, ask)).toBe('own-account');
  });

  it('lets an admin enable, update and reset their own account', () => {
    expect(codeOf(admin, { kind: 'user.enable', userId: 'ada' })).toBeUndefined();
    expect(codeOf(admin, { kind: 'user.update', userId: 'ada' })).toBeUndefined();
    expect(codeOf(admin, { kind: 'user.reset-password', userId: 'ada' })).toBeUndefined();
  });

  it('compares VAMS user IDs exactly: Ada is not ada', () => {
    expect(codeOf(admin, { kind: 'user.disable', userId: 'Ada' })).toBeUndefined();
    expect(codeOf(viewer, { kind: 'user.reset-password', userId: 'Vic' })).toBe('not-your-account');
  });

  it("keeps a password reset to one's own account unless an admin asks", () => {
    expect(codeOf(viewer, { kind: 'user.reset-password', userId: 'vic' })).toBeUndefined();
    expect(filingRefusal(viewer, policy, { kind: 'user.reset-password', userId: 'bob' })).toEqual({
      code: 'not-your-account',
      ask: { kind: 'user.reset-password', userId: 'bob' },
      ownUserId: 'vic',
    });
  });

  it('lets owners list, rotate and revoke their own keys only', () => {
    const others = { apiKeyId: '0123abcd-0000', ownerUserId: 'bob' };
    expect(codeOf(viewer, { kind: 'key.list', ownerUserId: undefined })).toBeUndefined();
    expect(codeOf(viewer, { kind: 'key.list', ownerUserId: 'vic' })).toBeUndefined();
    expect(codeOf(viewer, { kind: 'key.rotate', ...key })).toBeUndefined();
    expect(codeOf(viewer, { kind: 'key.revoke', ...key })).toBeUndefined();
    expect(codeOf(viewer, { kind: 'key.list', ownerUserId: 'bob' })).toBe('not-the-key-owner');
    expect(codeOf(manager, { kind: 'key.rotate', ...others })).toBe('not-the-key-owner');
    expect(codeOf(viewer, { kind: 'key.revoke', ...others })).toBe('not-the-key-owner');
  });
});
