import {
  type AccessRequest,
  expectKind,
  type RequestKind,
  type RequestOf,
} from '../domain/request';
import { type KindExecutor, unavailableExecutor } from '../workflow/steps';
import type { ApiKeyPorts } from './api-key/steps';
import type { LinkPorts } from './link/steps';
import type { OffboardingPorts } from './offboarding/steps';
import type { OnboardingPorts } from './onboarding/steps';
import type { PasswordResetPorts } from './password-reset/steps';
import type { RoleGrantPorts } from './role-assign/steps';
import type { RoleRemovePorts } from './role-remove/steps';
import type { UserAccessPorts } from './user-access/steps';
import type { UserUpdatePorts } from './user-update/steps';

/** What the kinds' steps work through; the composition root builds it from the adapters. */
export interface KindServices {
  /** Undefined when users live in an external identity provider. */
  cognito:
    | (OnboardingPorts['cognito'] &
        UserAccessPorts['cognito'] &
        PasswordResetPorts['cognito'] &
        UserUpdatePorts &
        NonNullable<OffboardingPorts['cognito']>)
    | undefined;
  userRoles: OnboardingPorts['userRoles'] & OffboardingPorts['userRoles'];
  apiKeys: UserAccessPorts['apiKeys'];
  adminGuard: OffboardingPorts['adminGuard'];
  adminRoles: readonly string[];
  courier: OnboardingPorts['courier'];
  delivery: OnboardingPorts['delivery'];
  keys: ApiKeyPorts;
  roleGrants: RoleGrantPorts & { grants: RoleRemovePorts['grants'] };
  links: LinkPorts;
}

/** Who may file a kind; the filing policy reads it. */
export interface FilingRules {
  /** Who may ask for it about someone else: anyone mapped to a VAMS user, or admins only. */
  by: 'anyone' | 'admins';
  /**
   * About the asker's own account: refused even to admins (nobody disables themselves), or
   * open to anyone (a non-admin may ask about themselves only).
   */
  ownAccount?: 'refused' | 'anyone';
}

/** What approvers see of the kind and how many must agree; the approval policy reads it. */
export interface ApprovalRules {
  /** Managers (MANAGER_ROLES) may approve it, for roles they may grant; else admins only. */
  managers: boolean;
  /**
   * Distinct approvers before privilege: one, or OFFBOARD_APPROVALS; `none`: granted once
   * announced on its card, then reviewed by an admin (break-glass), privilege aside.
   */
  approvals: 'none' | 'one' | 'offboard';
}

/** Distinct approvals a kind needs before privilege is counted. */
export function approvalsOf(rule: ApprovalRules['approvals'], offboardApprovals: number): number {
  return rule === 'none' ? 0 : rule === 'offboard' ? offboardApprovals : 1;
}

/** Everything particular to one request kind; the registry lists one per kind. */
export interface KindDefinition<K extends RequestKind> {
  kind: K;
  /** "Onboarding", "API key rotation": the card's title and, lower-cased, in sentences. */
  title: string;
  filing: FilingRules;
  approval: ApprovalRules;
  /** The VAMS users the request is about: none of them may approve it. */
  subjects(request: RequestOf<K>): string[];
  /** The roles the request gives, when it gives roles itself. */
  grants?(request: RequestOf<K>): readonly string[];
  /** The VAMS user whose live roles the request hands on (a key acts with its owner's roles). */
  privilegeHolder?(request: RequestOf<K>): string;
  /** The card's parameter fields, mrkdwn, each within a section field's 2000 characters. */
  cardFields(request: RequestOf<K>): string[];
  executor(services: KindServices): KindExecutor;
}

/** A definition whose methods take any request; each checks the request is of its kind. */
export interface KindRules<K extends RequestKind = RequestKind> {
  kind: K;
  title: string;
  filing: FilingRules;
  approval: ApprovalRules;
  subjects(request: AccessRequest): string[];
  grants(request: AccessRequest): readonly string[] | undefined;
  privilegeHolder(request: AccessRequest): string | undefined;
  cardFields(request: AccessRequest): string[];
  executor(services: KindServices): KindExecutor;
}

/** The registry's form of a definition: one kind's methods, reachable from any request. */
export function kindRules<K extends RequestKind>(definition: KindDefinition<K>): KindRules<K> {
  const own = (request: AccessRequest) => expectKind(request, definition.kind);
  return {
    kind: definition.kind,
    title: definition.title,
    filing: definition.filing,
    approval: definition.approval,
    subjects: (request) => definition.subjects(own(request)),
    grants: (request) => definition.grants?.(own(request)),
    privilegeHolder: (request) => definition.privilegeHolder?.(own(request)),
    cardFields: (request) => definition.cardFields(own(request)),
    executor: (services) => definition.executor(services),
  };
}

/** Shown when a user request reaches a deployment whose users are not in Cognito. */
export const EXTERNAL_IDP_TEXT =
  'Users of this VAMS deployment are managed in its identity provider, not in a Cognito user pool, so vams-chatops cannot create or change them. Roles and API keys still work here.';

/** With users in an external identity provider, user requests are refused before they are
 * filed; this only guards against one slipping through. */
export function withCognito(
  services: KindServices,
  build: (cognito: NonNullable<KindServices['cognito']>) => KindExecutor,
): KindExecutor {
  return services.cognito ? build(services.cognito) : unavailableExecutor(EXTERNAL_IDP_TEXT);
}
