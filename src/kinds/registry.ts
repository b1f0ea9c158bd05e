import type { AccessRequest, RequestKind } from '../domain/request';
import type { KindExecutor } from '../workflow/steps';
import {
  apiKeyCreateKind,
  apiKeyReactivateKind,
  apiKeyRotateKind,
  apiKeyUpdateKind,
} from './api-key';
import { breakglassKind } from './breakglass';
import { type KindRules, type KindServices, kindRules } from './kind';
import { linkKind } from './link';
import { offboardingKind } from './offboarding';
import { onboardingKind } from './onboarding';
import { passwordResetKind } from './password-reset';
import { roleAssignKind, roleRequestKind } from './role-assign';
import { roleRemoveKind } from './role-remove';
import { userDisableKind, userEnableKind, userSignoutKind } from './user-access';
import { userUpdateKind } from './user-update';

/** Every request kind the bot knows, by name: one line each. */
const KINDS: { readonly [K in RequestKind]: KindRules<K> } = {
  'user.create': kindRules(onboardingKind),
  'user.disable': kindRules(userDisableKind),
  'user.enable': kindRules(userEnableKind),
  'user.signout': kindRules(userSignoutKind),
  'user.reset-password': kindRules(passwordResetKind),
  'user.offboard': kindRules(offboardingKind),
  'user.update': kindRules(userUpdateKind),
  'key.create': kindRules(apiKeyCreateKind),
  'key.rotate': kindRules(apiKeyRotateKind),
  'key.update': kindRules(apiKeyUpdateKind),
  'key.reactivate': kindRules(apiKeyReactivateKind),
  'role.assign': kindRules(roleAssignKind),
  'role.request': kindRules(roleRequestKind),
  'role.remove': kindRules(roleRemoveKind),
  link: kindRules(linkKind),
  breakglass: kindRules(breakglassKind),
};

/** What is particular to a kind: its title, card, approval rules and steps. */
export function definitionOf(kind: RequestKind): KindRules {
  return KINDS[kind];
}

/** The VAMS users a request is about: none of them may approve it. */
export function subjectsOf(request: AccessRequest): string[] {
  return definitionOf(request.kind).subjects(request);
}

/** Each kind's steps, built once on the services the deployment has. */
export function kindExecutors(services: KindServices): (kind: RequestKind) => KindExecutor {
  const built = new Map<RequestKind, KindExecutor>();
  return (kind) => {
    const known = built.get(kind);
    if (known) return known;
    const executor = definitionOf(kind).executor(services);
    built.set(kind, executor);
    return executor;
  };
}
