import { DomainError, failureReason, isDomainError } from '../../src/domain/errors';

describe('failureReason', () => {
  it("gives a domain error's own message", () => {
    const error = new DomainError('last-admin', 'this would remove the last VAMS admin (ada)');
    expect(failureReason(error, 'abcd1234')).toBe('this would remove the last VAMS admin (ada)');
  });

  it('gives only the incident reference for anything else, never its text', () => {
    const sdk = Object.assign(new Error('User: arn:aws:iam::123:role/x is not authorized'), {
      name: 'AccessDeniedException',
    });
    for (const error of [sdk, 'a string', undefined, { message: 'looks like one' }]) {
      const reason = failureReason(error, 'abcd1234');
      expect(reason).toBe('an internal error (reference abcd1234)');
    }
  });
});

describe('DomainError', () => {
  it('carries its code and stays an Error', () => {
    const error = new DomainError('user-gone', 'there is no Cognito user bob any more');
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe('user-gone');
    expect(error.name).toBe('DomainError');
    expect(isDomainError(error)).toBe(true);
    expect(isDomainError(new Error('user-gone'))).toBe(false);
  });
});
