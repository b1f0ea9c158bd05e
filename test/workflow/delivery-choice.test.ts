import type { AccessRequest } from '../../src/domain/request';
import { onboardingExecutor } from '../../src/kinds/onboarding/steps';
import { passwordResetExecutor } from '../../src/kinds/password-reset/steps';

// Only the step lists are read here: no port is ever called.
const unused = () => Promise.reject(new Error('not called'));
const cognito = {
  findUser: unused,
  createUser: unused,
  setTemporaryPassword: unused,
  passwordPolicy: unused,
  signOutEverywhere: unused,
  resendInvitation: unused,
};
const courier = {
  recipientForEmail: unused,
  recipientRefusal: unused,
  sendTemporaryPassword: unused,
  retireSecretDms: unused,
};
const userRoles = { addRole: unused };

function request(kind: 'user.create' | 'user.reset-password', decided: boolean): AccessRequest {
  const now = '2026-11-24T00:00:00.000Z';
  const common = {
    id: 'RDELIVERY',
    reason: 'why',
    requester: { slackUserId: 'U0ADA', vamsUserId: 'ada@example.com' },
    subject: 'nia',
    status: 'failed' as const,
    approvals: [],
    requiredApprovals: 1,
    preflight: [],
    createdAt: now,
    expiresAt: now,
    steps: decided
      ? [
          {
            name: 'choose-delivery',
            status: 'done' as const,
            at: now,
            detail: 'by Slack DM to U0NIA',
          },
        ]
      : [],
    version: 3,
  };
  return kind === 'user.create'
    ? { ...common, kind, params: { userId: 'nia', email: 'nia@example.com', roles: ['viewer'] } }
    : { ...common, kind, params: { userId: 'nia' } };
}

const names = (steps: { name: string }[]) => steps.map((step) => step.name);

describe('a Retry after TEMP_PASSWORD_DELIVERY changed finishes the way the request started', () => {
  it('onboarding that chose a Slack DM still delivers it, though delivery is now email', () => {
    const executor = onboardingExecutor({ cognito, userRoles, courier, delivery: 'email' });
    expect(names(executor.steps(request('user.create', true)))).toEqual([
      'choose-delivery',
      'cognito-create',
      'role:viewer',
      'deliver-password',
    ]);
    expect(names(executor.steps(request('user.create', false)))).not.toContain('deliver-password');
  });

  it('a password reset that chose a Slack DM keeps that choice', () => {
    const executor = passwordResetExecutor({ cognito, courier, delivery: 'email' });
    expect(names(executor.steps(request('user.reset-password', true)))[0]).toBe('choose-delivery');
    expect(names(executor.steps(request('user.reset-password', false)))).not.toContain(
      'choose-delivery',
    );
  });
});
