import type { ApiKeyMetadata } from '../../src/domain/api-key';
import type { CognitoUserDetail, CognitoUserRow } from '../../src/domain/cognito-user';
import { checkMessage } from '../../src/views/block-kit-limits';
import { escapedWithin } from '../../src/views/fit';
import { USERS_PER_MESSAGE, userLine, userListMessage } from '../../src/views/user-list.view';
import { mfaText, userShowMessage } from '../../src/views/user-show.view';

const AT = new Date('2026-04-23T16:35:24.123Z');

function row(overrides: Partial<CognitoUserRow> = {}): CognitoUserRow {
  return {
    username: 'jane',
    email: 'jane@example.com',
    phone: '+14155550123',
    status: 'CONFIRMED',
    enabled: true,
    created: AT,
    modified: AT,
    ...overrides,
  };
}

function detail(overrides: Partial<CognitoUserDetail> = {}): CognitoUserDetail {
  return {
    ...row(),
    sub: '7d3f0c2e-0000-4000-8000-000000000001',
    emailVerified: true,
    phoneVerified: false,
    mfaMethods: [],
    preferredMfa: undefined,
    customAttributes: [],
    ...overrides,
  };
}

function key(overrides: Partial<ApiKeyMetadata> = {}): ApiKeyMetadata {
  return {
    apiKeyId: '5b0c7f4e-1111-4a4a-9c9c-0123456789ab',
    name: 'ci',
    description: 'Pipeline uploads',
    userId: 'jane',
    createdBy: 'ada',
    createdAt: '2026-01-02T03:04:05.000000+00:00',
    expiresAt: undefined,
    active: true,
    ...overrides,
  };
}

const NASTY = '&<>"\\`'.repeat(60);
const NOW = new Date('2026-06-01T00:00:00Z');

describe('user list page', () => {
  it('puts one user on one line with every column', () => {
    expect(userLine(row())).toBe(
      '`jane` · jane@example.com · +14155550123 · CONFIRMED · enabled · 2026-04-23 16:35 · 2026-04-23 16:35',
    );
    expect(userLine(row({ enabled: false, email: undefined, phone: undefined }))).toBe(
      '`jane` · – · – · CONFIRMED · *disabled* · 2026-04-23 16:35 · 2026-04-23 16:35',
    );
  });

  it('keeps a 60-character email whole and cuts only one that cannot fit', () => {
    const fits = `${'e'.repeat(48)}@example.com`;
    expect(userLine(row({ email: fits }))).toContain(` ${fits} `);
    const long = `${'e'.repeat(300)}@example.com`;
    expect(userLine(row({ email: long }))).toMatch(/ e+… · /);
  });

  it('stays within Slack’s limits with a full page of the longest, most escaped values', () => {
    const users = Array.from({ length: USERS_PER_MESSAGE }, (_, index) =>
      row({
        username: `${index}-${'u'.repeat(250)}`,
        email: `${NASTY}@example.com`,
        phone: NASTY,
        status: 'FORCE_CHANGE_PASSWORD',
      }),
    );
    const message = userListMessage({
      prefix: NASTY,
      page: 3,
      before: 120,
      users,
      buttons: [
        { text: 'Previous page', actionId: 'previous', value: 'abcdefghijkl:2' },
        { text: 'Next page', actionId: 'next', value: 'abcdefghijkl:4' },
      ],
    });
    expect(checkMessage(message)).toEqual([]);
    const lines = JSON.stringify(message.blocks).match(/`\d+-u+…?`/g) ?? [];
    expect(lines).toHaveLength(USERS_PER_MESSAGE);
    const mrkdwn = message.blocks.flatMap((block) =>
      block.type === 'section' && block.text ? [block.text.text] : [],
    );
    for (const text of mrkdwn) expect(text).not.toMatch(/[<>]/);
  });

  it('says when nothing matches, and when a later page is empty', () => {
    const page = (prefix: string | undefined, number: number) =>
      userListMessage({ prefix, page: number, before: 0, users: [], buttons: [] }).blocks;
    expect(JSON.stringify(page('car', 1))).toContain(
      "No Cognito user's User ID or email starts with `car`.",
    );
    expect(JSON.stringify(page(undefined, 1))).toContain('The user pool has no users.');
    expect(JSON.stringify(page(undefined, 4))).toContain('No more users.');
  });
});

describe('user show', () => {
  it('reads MFA as AdminGetUser reports it, the preferred method marked', () => {
    expect(mfaText({ mfaMethods: [], preferredMfa: undefined })).toBe('off');
    expect(
      mfaText({
        mfaMethods: ['SMS_MFA', 'SOFTWARE_TOKEN_MFA'],
        preferredMfa: 'SOFTWARE_TOKEN_MFA',
      }),
    ).toBe('on: SMS_MFA, SOFTWARE_TOKEN_MFA (preferred)');
  });

  it('shows key expiry the way VAMS enforces it', () => {
    const message = userShowMessage({
      user: detail(),
      roles: ['viewer'],
      keys: [
        key({ name: 'dated', expiresAt: '2026-12-31' }),
        key({ name: 'past', expiresAt: '2026-05-01T00:00:00Z' }),
        key({ name: 'future', expiresAt: '2026-07-01T12:00:00+00:00' }),
        key({ name: 'revoked', active: false }),
      ],
      buttons: [],
      now: NOW,
    });
    const shown = JSON.stringify(message.blocks);
    expect(shown).toContain('`dated` (`5b0c7f4e-1111-4a4a-9c9c-0123456789ab`)');
    expect(shown).toContain('expiry `2026-12-31` (VAMS reads it as never) · active');
    expect(shown).toContain('expired 2026-05-01 00:00 · expired');
    expect(shown).toContain('expires 2026-07-01 12:00 · active');
    expect(shown).toMatch(/`revoked` [^\n]* never expires · \*inactive\*/);
  });

  it('stays within Slack’s limits however much a user holds', () => {
    const message = userShowMessage({
      user: detail({
        username: 'u'.repeat(256),
        email: `${NASTY}@example.com`,
        phone: NASTY,
        customAttributes: Array.from({ length: 50 }, (_, index) => ({
          name: `custom:attribute${index}`,
          value: NASTY.repeat(6),
        })),
      }),
      roles: Array.from({ length: 300 }, (_, index) => `role-${index}-${'r'.repeat(240)}`),
      keys: Array.from({ length: 300 }, (_, index) =>
        key({ name: `${index}${NASTY}`.slice(0, 256), description: NASTY.repeat(1) }),
      ),
      buttons: [{ text: 'Disable', actionId: 'disable', value: 'u'.repeat(256), style: 'danger' }],
      now: NOW,
    });
    expect(checkMessage(message)).toEqual([]);
    expect(JSON.stringify(message.blocks)).toMatch(/…and \d+ more/);
    expect(JSON.stringify(message.blocks)).toContain('"text":"Disable"');
  });

  it('escapes what came from Cognito, so an attribute cannot mention or link', () => {
    const message = userShowMessage({
      user: detail({ customAttributes: [{ name: 'custom:team', value: '<!channel> & co' }] }),
      roles: [],
      keys: [],
      buttons: [],
      now: NOW,
    });
    const shown = JSON.stringify(message.blocks);
    expect(shown).toContain('&lt;!channel&gt; &amp; co');
    expect(shown).not.toContain('<!channel>');
    expect(shown).toContain('none: VAMS gives this user no access');
  });
});

describe('escapedWithin', () => {
  it('cuts at the limit as serialized, never inside an escape', () => {
    expect(escapedWithin('a&b', 7)).toBe('a&amp;b');
    expect(escapedWithin('a&b', 6)).toBe('a…');
    expect(JSON.stringify(escapedWithin('"'.repeat(100), 21)).length - 2).toBeLessThanOrEqual(21);
  });
});
