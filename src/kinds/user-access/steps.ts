import { type AccessRequest, expectKind, type RequestKind } from '../../domain/request';
import { logAuthChange } from '../../workflow/auth-changes';
import { deactivateKeysOf, type KeyDeactivationPorts } from '../../workflow/key-deactivation';
import type { KindExecutor, Step } from '../../workflow/steps';

export interface UserAccessPorts {
  cognito: {
    disableUser(userId: string): Promise<void>;
    enableUser(userId: string): Promise<void>;
    signOutEverywhere(userId: string): Promise<void>;
  };
  apiKeys: KeyDeactivationPorts;
}

// Cognito's global sign-out revokes refresh tokens only; access tokens live until they expire.
const TOKENS_LIVE_ON =
  'Access tokens already issued stay valid until they expire (typically up to an hour).';

const KEYS_STEP = 'api-keys';

const activeKeys = (count: number) => `${count} active API key${count === 1 ? '' : 's'}`;

/** What a disable will take away, in its dialog and on its card. */
export function keysToDeactivateText(userId: string, count: number): string {
  return count === 0
    ? `${userId} has no active API keys`
    : `${activeKeys(count)} will be deactivated`;
}

/** What the key step of a disable records, and its summary repeats. */
function keysDeactivatedText(count: number): string {
  return count === 0 ? 'no active API keys to deactivate' : `${activeKeys(count)} deactivated`;
}

type AccessKind = Extract<RequestKind, 'user.disable' | 'user.enable' | 'user.signout'>;

const ACTIONS: Record<
  AccessKind,
  {
    step: string;
    label: (userId: string) => string;
    done: string;
    summary: (userId: string, keys: string | undefined) => string;
  }
> = {
  'user.disable': {
    step: 'cognito-disable',
    label: (userId) => `Disable Cognito user ${userId}`,
    done: 'disabled',
    summary: (userId, keys) =>
      `Cognito user ${userId} is disabled and cannot sign in; ${keys ?? 'their API keys are deactivated'} (VAMS may accept a deactivated key for about 45 seconds more). ${TOKENS_LIVE_ON}`,
  },
  'user.enable': {
    step: 'cognito-enable',
    label: (userId) => `Enable Cognito user ${userId}`,
    done: 'enabled',
    summary: (userId) =>
      `Cognito user ${userId} is enabled and can sign in again. API keys deactivated when the user was disabled stay inactive; the user can ask for new ones with \`/vams key request\`.`,
  },
  'user.signout': {
    step: 'cognito-signout',
    label: (userId) => `Sign ${userId} out everywhere`,
    done: 'refresh tokens revoked',
    summary: (userId) =>
      `${userId} is signed out everywhere: refresh tokens are revoked. ${TOKENS_LIVE_ON}`,
  },
};

/**
 * Disable, enable and sign-out: one Cognito admin call each, as VAMS's own admin page makes it.
 * Disabling also deactivates the user's API keys, because VAMS's authorizer accepts a key without
 * looking at its owner's Cognito user. Enabling gives none of them back: a key is reissued only
 * through a new request.
 */
export function userAccessExecutor(kind: AccessKind, ports: UserAccessPorts): KindExecutor {
  const action = ACTIONS[kind];
  // Called through the ports object: the methods may belong to a class instance.
  const call = (userId: string): Promise<void> => {
    switch (kind) {
      case 'user.disable':
        return ports.cognito.disableUser(userId);
      case 'user.enable':
        return ports.cognito.enableUser(userId);
      case 'user.signout':
        return ports.cognito.signOutEverywhere(userId);
    }
  };
  const userIdOf = (request: AccessRequest) => expectKind(request, kind).params.userId;
  const cognitoStep = (request: AccessRequest): Step => ({
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
  });
  // After the Cognito user is disabled: from then on no new key is issued for them (a key
  // request checks the owner is enabled), so none can appear behind this sweep.
  const keysStep = (request: AccessRequest): Step => ({
    name: KEYS_STEP,
    label: `Deactivate the API keys of ${userIdOf(request)}`,
    run: async (context) =>
      keysDeactivatedText(
        await deactivateKeysOf(ports.apiKeys, userIdOf(context.request), context),
      ),
  });
  return {
    steps: (request) =>
      kind === 'user.disable' ? [cognitoStep(request), keysStep(request)] : [cognitoStep(request)],
    summary: (request) =>
      action.summary(
        userIdOf(request),
        request.steps.find((step) => step.name === KEYS_STEP)?.detail,
      ),
  };
}
