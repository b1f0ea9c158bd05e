import { z } from 'zod';
import {
  apiKeyParams,
  apiKeyReactivateParams,
  apiKeyRotationParams,
  apiKeyUpdateParams,
} from '../kinds/api-key/params';
import { breakglassParams } from '../kinds/breakglass/params';
import { linkParams } from '../kinds/link/params';
import { offboardParams } from '../kinds/offboarding/params';
import { onboardingParams } from '../kinds/onboarding/params';
import { passwordResetParams } from '../kinds/password-reset/params';
import { roleAssignParams, roleRequestParams } from '../kinds/role-assign/params';
import { roleRemoveParams } from '../kinds/role-remove/params';
import { singleUserParams } from '../kinds/user-access/params';
import { userUpdateParams } from '../kinds/user-update/params';

export type { ApiKeyParams, ApiKeyRotationParams } from '../kinds/api-key/params';
export type { BreakglassParams } from '../kinds/breakglass/params';
export { MAX_OFFBOARD_USERS, type OffboardParams } from '../kinds/offboarding/params';
export type { OnboardingParams } from '../kinds/onboarding/params';
export type { RoleAssignParams } from '../kinds/role-assign/params';
export type { RoleRemoveParams } from '../kinds/role-remove/params';
export type { UserUpdateParams } from '../kinds/user-update/params';

const OPEN_STATUSES = ['pending', 'approved', 'executing'] as const;
const TERMINAL_STATUSES = ['succeeded', 'failed', 'rejected', 'expired', 'cancelled'] as const;
export type RequestStatus = (typeof OPEN_STATUSES)[number] | (typeof TERMINAL_STATUSES)[number];

const person = z.object({ slackUserId: z.string(), vamsUserId: z.string() });
export type Person = z.infer<typeof person>;

/** Every request says why: approvers read it. */
export const REASON_REQUIRED = 'Say why; approvers read it.';

const droppedApproval = person.extend({ at: z.string(), code: z.string() });
export type DroppedApproval = z.infer<typeof droppedApproval>;

/**
 * A piece of a step's detail: text, or a Slack person the step dealt with (a DM's recipient).
 * Only these become mentions where the detail is shown; text never does, whatever it says.
 */
const detailPart = z.union([z.object({ text: z.string() }), z.object({ slackUserId: z.string() })]);
export type DetailPart = z.infer<typeof detailPart>;

/** A step's detail as plain text: Slack people by their id. For records, logs and audit. */
export function plainDetail(parts: readonly DetailPart[]): string {
  return parts.map((part) => ('text' in part ? part.text : part.slackUserId)).join('');
}

const stepRecord = z.object({
  name: z.string(),
  status: z.enum(['started', 'done', 'failed']),
  at: z.string(),
  detail: z.string().optional(),
  /** The same detail with the Slack people it names kept as ids, when it names any. */
  detailParts: z.array(detailPart).optional(),
  /** What the step hands on to later steps and views, in the shape its own schema gives it. */
  output: z.unknown().optional(),
});
export type StepRecord = z.infer<typeof stepRecord>;

/**
 * Something people must be told about a request, written in the same conditional write as the
 * change it tells of, and removed once it went out: a crash in between leaves it for the sweep.
 */
const notice = z.object({
  id: z.string(),
  /** `card`: the card shows the request as it is now; `submitted`: the requester's receipt;
   * `result`: the outcome in the card's thread; `outcome`: the outcome by DM to the requester;
   * `thread`: a later word in the card's thread (a grant ended); `dm`: the same to `to`;
   * `reminder`: approvers reminded in the thread; `escalation`: the request raised elsewhere. */
  type: z.enum([
    'card',
    'submitted',
    'result',
    'outcome',
    'thread',
    'dm',
    'reminder',
    'escalation',
  ]),
  summary: z.string().optional(),
  /** The Slack user a `dm` notice goes to. */
  to: z.string().optional(),
  at: z.string(),
  /** Deliveries that failed so far; the notice is given up after a few. */
  tries: z.number().int().optional(),
});
export type Notice = z.infer<typeof notice>;

const preflightResult = z.object({ check: z.string(), ok: z.boolean(), detail: z.string() });
export type PreflightResult = z.infer<typeof preflightResult>;

const requestFields = {
  id: z.string(),
  reason: z.string(),
  requester: person,
  /** The VAMS user the request is about: they may not approve it. */
  subject: z.string(),
  /** Slack members the request is also about (the new user's email is theirs): no approving. */
  subjectSlackUserIds: z.array(z.string()).optional(),
  /**
   * The admin roles this request would give someone, as last evaluated (at filing, at each
   * click, before running): non-empty makes it privileged, for admins only.
   */
  privileged: z.array(z.string()).optional(),
  /** Approvals that stopped counting: their approver could no longer approve when it was to run. */
  droppedApprovals: z.array(droppedApproval).optional(),
  status: z.enum([...OPEN_STATUSES, ...TERMINAL_STATUSES]),
  /** Distinct approvers, with the VAMS roles they held when they clicked. */
  approvals: z.array(person.extend({ roles: z.array(z.string()), at: z.string() })),
  /** 0 for break-glass: granted once announced, reviewed afterwards. */
  requiredApprovals: z.number().int().min(0),
  preflight: z.array(preflightResult),
  card: z.object({ channel: z.string(), ts: z.string() }).optional(),
  createdAt: z.string(),
  expiresAt: z.string(),
  steps: z.array(stepRecord),
  decision: z.object({ by: person, at: z.string(), comment: z.string().optional() }).optional(),
  /** Why it failed, in words for people; never a secret. */
  failure: z.string().optional(),
  lease: z.object({ owner: z.string(), until: z.string() }).optional(),
  /** How many times a runner took the request to run it: secrets sent carry it. */
  attempt: z.number().int().optional(),
  /** Reminders of an undecided request sent so far (or skipped while nobody could send them). */
  reminders: z.number().int().optional(),
  /** Raised in the escalation channel, past half its time to decide (or to be reviewed). */
  escalated: z.boolean().optional(),
  /** A break-glass grant's review by an admin other than the grantee: kept, or revoked. */
  review: z
    .object({ by: person, at: z.string(), outcome: z.enum(['reviewed', 'revoked']) })
    .optional(),
  /** Keys of what was told after the request ended (a grant's end), each told once. */
  afterwords: z.array(z.string()).optional(),
  /** What is still to be told; see `Notice`. */
  outbox: z.array(notice).optional(),
  /** Tokens of the last few writes, newest last: a write whose answer was lost recognises
   * itself among them, even when another write landed after it. */
  writes: z.array(z.string()).optional(),
  version: z.number().int(),
};
/**
 * Every change the bot makes is one of these, decided in Slack before it runs: one shape per
 * kind, each with its kind's parameters (defined in the kind's folder), checked when read.
 */
export const accessRequest = z.discriminatedUnion('kind', [
  z.object({ ...requestFields, kind: z.literal('user.create'), params: onboardingParams }),
  z.object({ ...requestFields, kind: z.literal('user.disable'), params: singleUserParams }),
  z.object({ ...requestFields, kind: z.literal('user.enable'), params: singleUserParams }),
  z.object({ ...requestFields, kind: z.literal('user.signout'), params: singleUserParams }),
  z.object({
    ...requestFields,
    kind: z.literal('user.reset-password'),
    params: passwordResetParams,
  }),
  z.object({ ...requestFields, kind: z.literal('user.offboard'), params: offboardParams }),
  z.object({ ...requestFields, kind: z.literal('user.update'), params: userUpdateParams }),
  z.object({ ...requestFields, kind: z.literal('key.create'), params: apiKeyParams }),
  z.object({ ...requestFields, kind: z.literal('key.rotate'), params: apiKeyRotationParams }),
  z.object({ ...requestFields, kind: z.literal('key.update'), params: apiKeyUpdateParams }),
  z.object({
    ...requestFields,
    kind: z.literal('key.reactivate'),
    params: apiKeyReactivateParams,
  }),
  z.object({ ...requestFields, kind: z.literal('role.assign'), params: roleAssignParams }),
  z.object({ ...requestFields, kind: z.literal('role.request'), params: roleRequestParams }),
  z.object({ ...requestFields, kind: z.literal('role.remove'), params: roleRemoveParams }),
  z.object({ ...requestFields, kind: z.literal('link'), params: linkParams }),
  z.object({ ...requestFields, kind: z.literal('breakglass'), params: breakglassParams }),
]);
export type AccessRequest = z.infer<typeof accessRequest>;
export type RequestKind = AccessRequest['kind'];
export type RequestOf<K extends RequestKind> = Extract<AccessRequest, { kind: K }>;

function isKind<K extends RequestKind>(request: AccessRequest, kind: K): request is RequestOf<K> {
  return request.kind === kind;
}

/** For a kind's own executor: anything else reaching it is a wiring bug. */
export function expectKind<K extends RequestKind>(request: AccessRequest, kind: K): RequestOf<K> {
  if (isKind(request, kind)) return request;
  throw new Error(`a ${kind} step was given a ${request.kind} request (${request.id})`);
}

export function isOpen(status: RequestStatus): boolean {
  return (OPEN_STATUSES as readonly string[]).includes(status);
}

/** A break-glass review is due this long after the grant was asked for. */
export const REVIEW_WINDOW_MS = 24 * 3_600_000;

/**
 * Granted without an approval and not yet reviewed: it stays on the open list (reminders, the
 * sweep) until an admin other than the grantee has looked at it.
 */
export function awaitsReview(request: AccessRequest): boolean {
  return (
    request.requiredApprovals === 0 &&
    request.review === undefined &&
    request.card !== undefined &&
    request.status !== 'pending' &&
    request.status !== 'expired' &&
    request.status !== 'cancelled' &&
    request.status !== 'rejected'
  );
}

export function stepDone(request: AccessRequest, name: string): boolean {
  return request.steps.some((step) => step.name === name && step.status === 'done');
}

/** A step's output as `schema` reads it; undefined when it recorded none in that shape. */
export function outputOf<T>(
  request: AccessRequest,
  name: string,
  schema: z.ZodType<T>,
): T | undefined {
  const record = request.steps.find((step) => step.name === name && step.status === 'done');
  const parsed = schema.safeParse(record?.output);
  return parsed.success ? parsed.data : undefined;
}

export function stepStarted(request: AccessRequest, name: string): boolean {
  return request.steps.some((step) => step.name === name);
}

/** A request id as `newRequestId` makes them: what a button value or a command must match. */
export const REQUEST_ID = /^R[0-9A-Z]{8}$/;

// Short, unambiguous ids people can type: Crockford base32 without I, L, O, U.
const ID_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export function newRequestId(random: (size: number) => Uint8Array): string {
  return `R${Array.from(random(8), (byte) => ID_ALPHABET[byte % 32]).join('')}`;
}
