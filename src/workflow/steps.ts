import { DomainError } from '../domain/errors';
import type { AccessRequest, DetailPart } from '../domain/request';
import type { AppLogger } from '../logging';

/** What a step records: plain text, or parts when it names Slack people (see `DetailPart`). */
export type StepDetail = string | readonly DetailPart[];

/**
 * A step's result: `detail` is for people to read; `output` is what later steps and views read,
 * in the shape the step's own schema gives it (see `outputOf`). Nobody parses a detail.
 */
export interface StepResult {
  detail: StepDetail;
  output?: unknown;
}

export type StepOutcome = StepDetail | StepResult;

export interface StepContext {
  request: AccessRequest;
  now: Date;
  log: AppLogger;
  /**
   * Resolves while this runner still holds the request, and throws `LeaseLostError` once another
   * runner took it over: called right before an effect that must not happen twice.
   */
  fence(): Promise<void>;
  /** True when an earlier run started this step and never recorded how it ended. */
  resumed: boolean;
}

export interface Step {
  name: string;
  label: string;
  /** Does the work; returns what to record (never a secret). */
  run(context: StepContext): Promise<StepOutcome>;
  /**
   * After a crash between starting and recording this step: returns what to record if the work
   * turns out to be done, undefined if it must run again.
   */
  reconcile?(context: StepContext): Promise<StepOutcome | undefined>;
}

export interface KindExecutor {
  steps(request: AccessRequest): Step[];
  summary(request: AccessRequest): string;
}

/** The state of each step as the progress message shows it. */
export interface StepState {
  label: string;
  state: 'waiting' | 'running' | 'done' | 'failed';
  detail?: string;
  /** The detail with the Slack people it names as ids: the only source of mentions. */
  detailParts?: DetailPart[];
}

/** Thrown by `fence()`: another runner holds the request now, so this one stops. */
export class LeaseLostError extends Error {
  readonly code = 'lease-lost';
  constructor(requestId: string) {
    super(`another runner took over ${requestId}`);
  }
}

/** A kind this deployment cannot run: its one step fails with the reason. */
export function unavailableExecutor(reason: string): KindExecutor {
  return {
    steps: () => [
      {
        name: 'unavailable',
        label: 'Check that this deployment supports the request',
        run: () => Promise.reject(new DomainError('unavailable', reason)),
      },
    ],
    summary: () => reason,
  };
}

export function isStepResult(outcome: StepOutcome): outcome is StepResult {
  return typeof outcome === 'object' && !Array.isArray(outcome) && 'detail' in outcome;
}
