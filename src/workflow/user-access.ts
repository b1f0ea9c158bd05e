import { logAuthChange } from './auth-changes';
import { type AccessRequest, expectKind, type RequestKind } from './request';
import type { KindExecutor } from './workflow';

export interface UserAccessPorts {
  disableUser(userId: string): Promise<void>;
  enableUser(userId: string): Promise<void>;
  signOutEverywhere(userId: string): Promise<void>;
}

// VAMS-COMPAT.md: a global sign-out revokes refresh tokens only.
const TOKENS_LIVE_ON =
  'Access tokens already issued stay valid until they expire (typically up to an hour).';

type AccessKind = Extract<RequestKind, 'user.disable' | 'user.enable' | 'user.signout'>;

const ACTIONS: Record<
  AccessKind,
  {
    step: string;
    label: (userId: string) => string;
    done: string;
    summary: (userId: string) => string;
  }
> = {
  'user.disable': {
    step: 'cognito-disable',
    label: (userId) => `Disable Cognito user ${userId}`,
    done: 'disabled',
    summary: (userId) => `Cognito user ${userId} is disabled and cannot sign in. ${TOKENS_LIVE_ON}`,
  },
  'user.enable': {
    step: 'cognito-enable',
    label: (userId) => `Enable Cognito user ${userId}`,
    done: 'enabled',
    summary: (userId) => `Cognito user ${userId} is enabled and can sign in again.`,
  },
  'user.signout': {
    step: 'cognito-signout',
    label: (userId) => `Sign ${userId} out everywhere`,
    done: 'refresh tokens revoked',
    summary: (userId) =>
      `${userId} is signed out everywhere: refresh tokens are revoked. ${TOKENS_LIVE_ON}`,
  },
};

/** Disable, enable and sign-out: one Cognito admin call each, as VAMS's own admin page makes it. */
export function userAccessExecutor(kind: AccessKind, ports: UserAccessPorts): KindExecutor {
  const action = ACTIONS[kind];
  // Called through the ports object: the methods may belong to a class instance.
  const call = (userId: string): Promise<void> => {
    switch (kind) {
      case 'user.disable':
        return ports.disableUser(userId);
      case 'user.enable':
        return ports.enableUser(userId);
      case 'user.signout':
        return ports.signOutEverywhere(userId);
    }
  };
  const userIdOf = (request: AccessRequest) => expectKind(request, kind).params.userId;
  return {
    steps: (request) => [
      {
        name: action.step,
        label: action.label(userIdOf(request)),
        run: async (context) => {
          const userId = userIdOf(context.request);
          await call(userId);
          logAuthChange(context.log, 'cognitoUserUpdate', context.request, {
            userId,
            action: kind,
          });
          return action.done;
        },
      },
    ],
    summary: (request) => action.summary(userIdOf(request)),
  };
}
