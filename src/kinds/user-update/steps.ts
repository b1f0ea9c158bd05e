import { DomainError } from '../../domain/errors';
import { expectKind, type RequestOf } from '../../domain/request';
import { logAuthChange } from '../../workflow/auth-changes';
import type { KindExecutor, Step } from '../../workflow/steps';

export interface UserUpdatePorts {
  findUser(
    userId: string,
  ): Promise<{ email: string | undefined; phone: string | undefined } | undefined>;
  updateContact(userId: string, changes: { email?: string; phone?: string }): Promise<void>;
  removePhone(userId: string): Promise<void>;
}

type Params = RequestOf<'user.update'>['params'];

/** What the request sets, in words: `email and phone number`. */
function changedNames(params: Params): string {
  const names = [
    ...(params.email !== undefined ? ['email'] : []),
    ...(params.phone !== undefined ? ['phone number'] : []),
  ];
  return names.join(' and ');
}

async function currentContact(ports: UserUpdatePorts, userId: string) {
  const user = await ports.findUser(userId);
  if (!user) throw new DomainError('user-gone', `there is no Cognito user ${userId} any more`);
  return user;
}

/**
 * `/vams user update`: only the attributes that change are sent, each marked verified as VAMS
 * marks them. VAMS's own update sends every field, so an email change there clears the phone.
 */
export function userUpdateExecutor(ports: UserUpdatePorts): KindExecutor {
  const update = (params: Params): Step => ({
    name: 'cognito-update',
    label: `Set the ${changedNames(params)} of ${params.userId}, marked verified`,
    run: async (context) => {
      const before = await currentContact(ports, params.userId);
      await ports.updateContact(params.userId, {
        ...(params.email !== undefined ? { email: params.email } : {}),
        ...(params.phone !== undefined ? { phone: params.phone } : {}),
      });
      logAuthChange(context.log, 'cognitoUserUpdate', context.request, {
        userId: params.userId,
        action: 'user.update',
        ...(params.email !== undefined
          ? { email: { old: before.email ?? null, new: params.email } }
          : {}),
        ...(params.phone !== undefined
          ? { phone: { old: before.phone ?? null, new: params.phone } }
          : {}),
      });
      return `${changedNames(params)} set and marked verified`;
    },
  });

  const removePhone = (userId: string): Step => ({
    name: 'cognito-remove-phone',
    label: `Remove the phone number of ${userId}`,
    run: async (context) => {
      const before = await currentContact(ports, userId);
      if (before.phone === undefined) return 'there was no phone number';
      await ports.removePhone(userId);
      logAuthChange(context.log, 'cognitoUserUpdate', context.request, {
        userId,
        action: 'user.update',
        phone: { old: before.phone, new: null },
      });
      return 'phone number removed';
    },
  });

  return {
    steps: (candidate) => {
      const { params } = expectKind(candidate, 'user.update');
      return [
        ...(params.email !== undefined || params.phone !== undefined ? [update(params)] : []),
        ...(params.removePhone ? [removePhone(params.userId)] : []),
      ];
    },
    summary: (candidate) => {
      const { params } = expectKind(candidate, 'user.update');
      const changes = [
        ...(params.email !== undefined ? [`the email is now ${params.email} (verified)`] : []),
        ...(params.phone !== undefined
          ? [`the phone number is now ${params.phone} (verified)`]
          : []),
        ...(params.removePhone ? ['the phone number is removed'] : []),
      ];
      return `Cognito user ${params.userId} is updated: ${changes.join(' and ')}. Its other attributes, password, enabled state, VAMS roles and API keys stay as they were.`;
    },
  };
}
