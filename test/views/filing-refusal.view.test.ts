import type { FilingRefusal } from '../../src/auth/filing-policy';
import { filingRefusalText } from '../../src/views/filing-refusal.view';

const guestOf = (ask: FilingRefusal['ask']): FilingRefusal => ({
  code: 'not-mapped',
  ask,
  identityReason: 'guest',
  email: undefined,
});

describe('filingRefusalText', () => {
  it.each<[FilingRefusal['ask'], string]>([
    [{ kind: 'user.create' }, 'You cannot request onboarding: '],
    [{ kind: 'user.disable', userId: 'bob' }, 'You cannot make requests: '],
    [{ kind: 'user.offboard', userIds: ['bob'] }, 'You cannot make requests: '],
    [{ kind: 'user.directory' }, 'You cannot look users up: '],
    [{ kind: 'key.request' }, 'You cannot request API keys: '],
    [{ kind: 'key.create', ownerUserId: 'ci' }, 'You cannot request API keys: '],
    [{ kind: 'key.list', ownerUserId: undefined }, 'You cannot list API keys: '],
    [{ kind: 'key.rotate', apiKeyId: 'k', ownerUserId: 'o' }, 'You cannot rotate API keys: '],
    [{ kind: 'key.revoke', apiKeyId: 'k', ownerUserId: 'o' }, 'You cannot revoke API keys: '],
  ])('says what someone unmapped cannot do, then why: %o', (ask, lead) => {
    expect(filingRefusalText(guestOf(ask))).toBe(`${lead}Guest accounts cannot use vams-chatops.`);
  });

  it.each<[FilingRefusal, string]>([
    [
      { code: 'not-an-admin', ask: { kind: 'user.signout', userId: 'bob' } },
      'Only VAMS admins can change users’ access.',
    ],
    [
      { code: 'not-an-admin', ask: { kind: 'user.update', userId: 'bob' } },
      'Only VAMS admins can change users’ details.',
    ],
    [
      { code: 'not-an-admin', ask: { kind: 'user.offboard', userIds: ['bob'] } },
      'Only VAMS admins can offboard people.',
    ],
    [
      { code: 'not-an-admin', ask: { kind: 'key.create', ownerUserId: 'ci' } },
      'Only VAMS admins can create keys for other users; use `/vams key request` for your own.',
    ],
    [
      { code: 'not-an-admin-or-manager', ask: { kind: 'user.directory' } },
      'Only VAMS admins and managers can list and show users.',
    ],
    [
      { code: 'own-account', ask: { kind: 'user.disable', userId: 'ada' } },
      'You cannot disable yourself; ask another admin.',
    ],
    [
      { code: 'own-account', ask: { kind: 'user.signout', userId: 'ada' } },
      'You cannot sign yourself out here; ask another admin.',
    ],
    [
      { code: 'own-account', ask: { kind: 'user.offboard', userIds: ['ada'] } },
      'You cannot offboard yourself; ask another admin.',
    ],
    [
      {
        code: 'not-your-account',
        ask: { kind: 'user.reset-password', userId: 'bob' },
        ownUserId: 'vic',
      },
      "You can ask for a reset of your own password (`vic`) only; admins can ask for anyone's.",
    ],
    [
      { code: 'not-the-key-owner', ask: { kind: 'key.list', ownerUserId: 'bob' } },
      'You can list your own keys only; admins can list anyone’s.',
    ],
    [
      {
        code: 'not-the-key-owner',
        ask: { kind: 'key.revoke', apiKeyId: '0123abcd', ownerUserId: 'bob' },
      },
      "API key `0123abcd` is not yours; you can revoke your own keys only (admins can revoke anyone's).",
    ],
  ])('explains %o', (refusal, text) => {
    expect(filingRefusalText(refusal)).toBe(text);
  });
});
