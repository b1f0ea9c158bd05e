import {
  type CloudWatchLogsClient,
  CreateLogStreamCommand,
  type InputLogEvent,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import type pino from 'pino';
import { z } from 'zod';

/** Where VAMS-style audit lines go besides the bot's own log. */
export interface AuditSink {
  add(message: string, timestampMs: number): void;
}

/** VAMS's own marker of an authorisation change: its audit queries look for it. */
export const AUTH_CHANGE_MARKER = '[AUTHCHANGES]';

// PutLogEvents limits: events and bytes per call (each event counts 26 bytes more than its
// UTF-8 message), the span one call may cover (less than a day), and the size of one event.
const MAX_BATCH_EVENTS = 10_000;
const MAX_BATCH_BYTES = 1_048_576;
const EVENT_OVERHEAD_BYTES = 26;
const MAX_BATCH_SPAN_MS = 24 * 3_600_000;
const MAX_EVENT_BYTES = 262_144;
// CloudWatch rejects events older than 14 days; an hour of margin for the call's own time.
const MAX_EVENT_AGE_MS = 14 * 24 * 3_600_000 - 3_600_000;
const TRUNCATED = ' …[truncated]';

/** Default bound on what waits to be sent: about five full calls' worth. */
export const DEFAULT_MAX_PENDING_BYTES = 5 * MAX_BATCH_BYTES;

export interface AuditLogWarning {
  message: string;
  error?: unknown;
  /** Lines waiting for the next flush. */
  pending: number;
  /** Lines given up since the last warning: past the bound, or too old for CloudWatch. */
  dropped: number;
}

export interface AuditLogOptions {
  clock?: () => Date;
  /** Told of every failed or partial flush. Never called from `add`, so it may log. */
  onWarning?: (warning: AuditLogWarning) => void;
  /**
   * Bytes (counted as CloudWatch counts them) that may wait while CloudWatch cannot be reached;
   * past it the oldest lines are dropped. A flush in progress holds at most as much again.
   */
  maxPendingBytes?: number;
}

interface Entry {
  message: string;
  timestamp: number;
  bytes: number;
}

function sized(message: string, timestamp: number): Entry {
  let text = message;
  let bytes = Buffer.byteLength(text, 'utf8') + EVENT_OVERHEAD_BYTES;
  // One oversized event would make every call it is in fail, and block the lines behind it.
  if (bytes > MAX_EVENT_BYTES) {
    const encoded = Buffer.from(text, 'utf8');
    let cut = MAX_EVENT_BYTES - EVENT_OVERHEAD_BYTES - Buffer.byteLength(TRUNCATED);
    // Back to the start of a character: half of one would arrive as U+FFFD.
    while (cut > 0 && ((encoded[cut] ?? 0) & 0xc0) === 0x80) cut -= 1;
    text = `${encoded.subarray(0, cut).toString('utf8')}${TRUNCATED}`;
    bytes = Buffer.byteLength(text, 'utf8') + EVENT_OVERHEAD_BYTES;
  }
  return { message: text, timestamp, bytes };
}

function errorName(error: unknown): string | undefined {
  const parsed = z.object({ name: z.string() }).safeParse(error);
  return parsed.success ? parsed.data.name : undefined;
}

/**
 * Ships audit lines to a CloudWatch Logs group (VAMS's AuthChanges group), so that VAMS's own
 * audit shows the changes the bot made behind its API.
 *
 * `add` only queues; `flush` sends. Periodic flushing is `start(intervalMs)` in a long-lived
 * process; on Lambda, where a timer does not run between invocations, call `flush()` before
 * each invocation returns. `stop()` ends the timer and flushes once more.
 *
 * Each line is sent once: it leaves the queue when the call that carried it succeeded, and
 * flushes run one after another. A failed call keeps its lines for the next flush; the one
 * case CloudWatch's API cannot tell apart (a call that landed but whose answer was lost) sends
 * them again, since PutLogEvents takes no idempotency token.
 */
export class CloudWatchAuditLog implements AuditSink {
  private queue: Entry[] = [];
  private queuedBytes = 0;
  /** Lines the running flush took and has not sent yet. */
  private sending = 0;
  private dropped = 0;
  private streamReady = false;
  private chain: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private readonly clock: () => Date;
  private readonly onWarning: (warning: AuditLogWarning) => void;
  private readonly maxPendingBytes: number;

  constructor(
    private readonly client: CloudWatchLogsClient,
    private readonly logGroupName: string,
    private readonly logStreamName: string,
    options: AuditLogOptions = {},
  ) {
    this.clock = options.clock ?? (() => new Date());
    this.onWarning = options.onWarning ?? (() => {});
    this.maxPendingBytes = Math.max(options.maxPendingBytes ?? DEFAULT_MAX_PENDING_BYTES, 1);
  }

  /** Lines waiting to be sent, the ones a running flush is sending included. */
  get pending(): number {
    return this.queue.length + this.sending;
  }

  add(message: string, timestampMs: number): void {
    const entry = sized(message, timestampMs);
    this.queue.push(entry);
    this.queuedBytes += entry.bytes;
    this.trim();
  }

  /** Sends what is queued; never rejects. Concurrent calls run one after another. */
  flush(): Promise<void> {
    this.chain = this.chain
      .then(() => this.flushQueued())
      .catch((error: unknown) => this.warn('the audit log flush stopped unexpectedly', error));
    return this.chain;
  }

  /** Flushes every `intervalMs` until `stop()`; the timer does not keep the process alive. */
  start(intervalMs: number): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      void this.flush();
    }, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  // The oldest go first: they had the most chances, and CloudWatch soon refuses them anyway.
  private trim(): void {
    let excess = 0;
    while (this.queuedBytes > this.maxPendingBytes && excess < this.queue.length) {
      this.queuedBytes -= this.queue[excess]?.bytes ?? 0;
      excess += 1;
    }
    if (excess === 0) return;
    this.queue.splice(0, excess);
    this.dropped += excess;
  }

  private warn(message: string, error?: unknown): void {
    const dropped = this.dropped;
    this.dropped = 0;
    try {
      this.onWarning({
        message,
        pending: this.pending,
        dropped,
        ...(error !== undefined ? { error } : {}),
      });
    } catch {
      // A failing warning must not turn a flush into a rejection.
    }
  }

  private async flushQueued(): Promise<void> {
    // What this flush sends: lines added meanwhile wait for the next one.
    const taken = this.queue.sort((a, b) => a.timestamp - b.timestamp);
    this.queue = [];
    this.queuedBytes = 0;
    const oldest = this.clock().getTime() - MAX_EVENT_AGE_MS;
    const fresh = taken.filter((entry) => entry.timestamp >= oldest);
    this.dropped += taken.length - fresh.length;
    let rest = fresh;
    this.sending = rest.length;
    try {
      if (rest.length > 0 && !(await this.ensureStream())) return;
      while (rest.length > 0) {
        const size = Math.max(1, batchSize(rest));
        const batch = rest.slice(0, size);
        const rejected = await this.put(batch);
        if (rejected === 'failed') return;
        rest = rest.slice(size);
        this.sending = rest.length;
        if (rejected > 0) {
          this.dropped += rejected;
          this.warn(`CloudWatch Logs refused ${rejected} audit lines as too old or too new`);
        }
      }
      if (this.dropped > 0) this.warn('audit lines were dropped before they could be sent');
    } finally {
      // Unsent lines go back before the ones added meanwhile, and count towards the bound.
      if (rest.length > 0) {
        this.queue = [...rest, ...this.queue];
        this.queuedBytes = this.queue.reduce((sum, entry) => sum + entry.bytes, 0);
        this.trim();
      }
      this.sending = 0;
    }
  }

  private async ensureStream(): Promise<boolean> {
    if (this.streamReady) return true;
    try {
      await this.client.send(
        new CreateLogStreamCommand({
          logGroupName: this.logGroupName,
          logStreamName: this.logStreamName,
        }),
      );
    } catch (error) {
      if (errorName(error) !== 'ResourceAlreadyExistsException') {
        this.warn(`could not create the audit log stream ${this.logStreamName}`, error);
        return false;
      }
    }
    this.streamReady = true;
    return true;
  }

  /** The number of lines CloudWatch refused for their time, or 'failed' when nothing landed. */
  private async put(batch: readonly Entry[]): Promise<number | 'failed'> {
    const logEvents: InputLogEvent[] = batch.map(({ message, timestamp }) => ({
      message,
      timestamp,
    }));
    try {
      const answer = await this.client.send(
        new PutLogEventsCommand({
          logGroupName: this.logGroupName,
          logStreamName: this.logStreamName,
          logEvents,
        }),
      );
      const info = answer.rejectedLogEventsInfo;
      if (!info) return 0;
      const tooOld = Math.max(info.tooOldLogEventEndIndex ?? 0, info.expiredLogEventEndIndex ?? 0);
      const tooNew =
        info.tooNewLogEventStartIndex === undefined
          ? 0
          : batch.length - info.tooNewLogEventStartIndex;
      return Math.min(batch.length, tooOld + tooNew);
    } catch (error) {
      // A stream deleted under the bot is created again on the next flush.
      if (errorName(error) === 'ResourceNotFoundException') this.streamReady = false;
      this.warn(`could not send ${batch.length} audit lines to ${this.logGroupName}`, error);
      return 'failed';
    }
  }
}

/** How many of `entries` (sorted by time) one PutLogEvents call may carry. */
function batchSize(entries: readonly Entry[]): number {
  const first = entries[0];
  if (!first) return 0;
  let bytes = 0;
  let count = 0;
  for (const entry of entries) {
    if (count === MAX_BATCH_EVENTS) break;
    if (bytes + entry.bytes > MAX_BATCH_BYTES) break;
    if (entry.timestamp - first.timestamp >= MAX_BATCH_SPAN_MS) break;
    bytes += entry.bytes;
    count += 1;
  }
  return count;
}

// A line without pino's epoch-milliseconds time is still audited, at the time it was seen.
const pinoLine = z.object({ msg: z.string(), time: z.number().optional().catch(undefined) });

/** A pino destination that may also be flushed (pino's own `destination()` may). */
export type LogDestination = pino.DestinationStream & {
  flush?(callback: (error?: Error | null) => void): void;
};

/**
 * A pino destination writing every line to `destination`, and VAMS audit lines to `sink` too.
 * It sits where pino writes, so it sees each line after the logger scrubbed its secrets.
 */
export function auditTee(
  destination: LogDestination,
  sink: AuditSink,
  clock: () => Date = () => new Date(),
): LogDestination {
  const tee: LogDestination = {
    write(line: string) {
      destination.write(line);
      // Most lines are not audit lines: the cheap test first, the parse only for candidates.
      if (!line.includes(AUTH_CHANGE_MARKER)) return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        return;
      }
      const fields = pinoLine.safeParse(parsed);
      if (!fields.success || !fields.data.msg.startsWith(AUTH_CHANGE_MARKER)) return;
      sink.add(fields.data.msg, fields.data.time ?? clock().getTime());
    },
  };
  if (destination.flush) {
    const flush = destination.flush.bind(destination);
    tee.flush = (callback) => flush(callback);
  }
  return tee;
}
