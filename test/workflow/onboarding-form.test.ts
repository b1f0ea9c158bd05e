import { type OnboardingInput, validateOnboarding } from '../../src/kinds/onboarding/form';

describe('validateOnboarding', () => {
  const valid: OnboardingInput = {
    userId: 'jane.doe',
    email: 'jane@example.com',
    phone: '',
    roles: ['viewer'],
    reason: 'Joins the 3D team',
  };
  const errorsOf = (input: Partial<OnboardingInput>) => {
    const checked = validateOnboarding({ ...valid, ...input });
    return checked.ok ? {} : checked.errors;
  };

  it('requires at least one role (Slack lets an emptied multi-select through)', () => {
    expect(Object.keys(errorsOf({ roles: [] }))).toEqual(['roles']);
  });

  it('names every bad field at once', () => {
    const errors = errorsOf({ userId: 'a', email: 'no', phone: 'x', roles: [], reason: ' \n ' });
    expect(Object.keys(errors).sort()).toEqual(['email', 'phone', 'reason', 'roles', 'userId']);
  });

  it.each([
    ['jd', 'jd', false],
    ['jan', 'jan', true],
    ['256 characters', 'a'.repeat(256), true],
    ['257 characters', 'a'.repeat(257), false],
    ['jane+3d@example.com', 'jane+3d@example.com', true],
    ['jane/doe', 'jane/doe', false],
    ['GLOBAL', 'GLOBAL', false],
    ['Global', 'Global', false],
  ])('User ID %s is accepted: %s', (_label, userId, accepted) => {
    expect('userId' in errorsOf({ userId })).toBe(!accepted);
  });

  it.each([
    ['+14155550123', true],
    ['+1 (415) 555-0123', true],
    ['+123456789012345', true],
    ['+1234567890123456', false],
    ['+04155550123', false],
    ['14155550123', false],
    ['+1415555012a', false],
  ])('phone number %s is accepted: %s', (phone, accepted) => {
    expect('phone' in errorsOf({ phone })).toBe(!accepted);
  });

  it("accepts any valid email, without VAMS's 2–4 letter top-level domain limit", () => {
    expect(errorsOf({ email: 'jane@studio.photography' })).toEqual({});
    expect('email' in errorsOf({ email: 'jane@example' })).toBe(true);
  });

  it('returns the values trimmed, the phone in E.164, roles once each', () => {
    expect(
      validateOnboarding({
        userId: '  jane.doe ',
        email: ' jane@example.com ',
        phone: '+1 (415) 555-0123',
        roles: ['viewer', 'editor', 'viewer'],
        reason: '  Joins the 3D team \n',
      }),
    ).toEqual({
      ok: true,
      params: {
        userId: 'jane.doe',
        email: 'jane@example.com',
        phone: '+14155550123',
        roles: ['viewer', 'editor'],
      },
      reason: 'Joins the 3D team',
    });
  });

  it('leaves out an empty phone number', () => {
    const checked = validateOnboarding(valid);
    expect(checked.ok).toBe(true);
    expect(checked.ok && 'phone' in checked.params).toBe(false);
  });
});
