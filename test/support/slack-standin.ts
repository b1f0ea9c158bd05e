import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { z } from 'zod';
import { type BlockKitProblem, checkMessage, checkView } from '../../src/views/block-kit-limits';

// A local stand-in for Slack's Web API and response_urls. It answers with Slack's response
// shapes and enforces the rules that bite in production (trigger expiry, hash conflicts, DM
// channels, Block Kit limits, 429s), so end-to-end tests and the offline demo fail where Slack
// would.

export interface SlackUserFixture {
  id: string;
  teamId?: string;
  name?: string;
  realName?: string;
  email?: string;
  emailConfirmed?: boolean;
  isBot?: boolean;
  deleted?: boolean;
  isRestricted?: boolean;
  isUltraRestricted?: boolean;
}

export interface RecordedCall {
  // The Web API method, or 'response_url' for a post to a response_url (args then hold `url`).
  method: string;
  args: Record<string, unknown>;
  at: number;
  // What the stand-in answered: failed calls are recorded too, so retries can be asserted on.
  ok: boolean;
  error?: string;
}

export interface Hold {
  arrived: Promise<Record<string, unknown>>;
  release(): void;
}

export interface StoredMessage {
  ts: string;
  threadTs?: string;
  text?: string;
  blocks?: unknown[];
  // Message metadata as Slack keeps it: returned by history reads with include_all_metadata.
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
}

export interface StoredView {
  view: Record<string, unknown>;
  hash: string;
  userId?: string;
}

export interface TriggerContext {
  // The person the interaction came from: views opened with the trigger belong to them.
  userId?: string;
  // Set when the interaction happened inside a modal, so views.push knows the stack.
  viewId?: string;
}

export interface SlackStandInOptions {
  teamId?: string;
  botUserId?: string;
  botId?: string;
  appId?: string;
  token?: string;
  // Milliseconds since the epoch; tests inject a clock to expire triggers and response_urls.
  now?: () => number;
}

type Args = Record<string, unknown>;
type SlackBody = Record<string, unknown>;

interface Answer {
  status: number;
  body: SlackBody;
  headers?: Record<string, string>;
}

interface Trigger {
  issuedAt: number;
  used: boolean;
  context: TriggerContext;
}

interface ResponseUrl {
  createdAt: number;
  uses: number;
}

interface Waiter {
  matches(call: RecordedCall): boolean;
  settle(call: RecordedCall | Error): void;
}

const TRIGGER_LIFETIME_MS = 3_000;
const RESPONSE_URL_LIFETIME_MS = 30 * 60_000;
const RESPONSE_URL_USES = 5;
const VIEW_STACK_DEPTH = 3;
// chat.postMessage truncates and then refuses text beyond this with msg_too_long.
const MESSAGE_TEXT_CHARS = 40_000;
const TEAM_DOMAIN = 'local-standin';

const argsSchema = z.record(z.string(), z.unknown());
const TS_PATTERN = /^\d+\.\d+$/;
// The WebClient form-encodes every argument and sends nested objects as JSON strings.
const JSON_ENCODED_ARGS = new Set(['blocks', 'attachments', 'view', 'metadata']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isArray(value: unknown): value is unknown[] {
  return Array.isArray(value);
}

function stringArg(args: Args, key: string): string | undefined {
  const value = args[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    const value: unknown = JSON.parse(text);
    return { ok: true, value };
  } catch {
    return { ok: false };
  }
}

function parseArgs(contentType: string | undefined, body: string): Args | undefined {
  const mediaType = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (mediaType === 'application/json') {
    const json = parseJson(body);
    if (!json.ok) {
      return undefined;
    }
    const parsed = argsSchema.safeParse(json.value);
    return parsed.success ? parsed.data : undefined;
  }
  const args: Args = {};
  for (const [key, value] of new URLSearchParams(body)) {
    if (JSON_ENCODED_ARGS.has(key)) {
      const json = parseJson(value);
      // Left as a string when it is not JSON, so the method answers *_format errors like Slack.
      args[key] = json.ok ? json.value : value;
    } else {
      args[key] = value;
    }
  }
  return args;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function send(response: ServerResponse, answer: Answer): void {
  response.writeHead(answer.status, {
    'content-type': 'application/json; charset=utf-8',
    ...answer.headers,
  });
  response.end(JSON.stringify(answer.body));
}

function ok(body: SlackBody = {}): SlackBody {
  return { ok: true, ...body };
}

function fail(error: string, extra: SlackBody = {}): SlackBody {
  return { ok: false, error, ...extra };
}

// 'blocks[0].text.text' → 'blocks/0/text/text', the json-pointer Slack quotes in its errors.
function jsonPointer(prefix: string, path: string): string {
  const parts = path
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .filter((part) => part !== '');
  return [prefix, ...parts].join('/');
}

function invalidBlocks(problems: BlockKitProblem[]): SlackBody {
  return fail('invalid_blocks', {
    errors: problems.map((problem) => problem.message),
    response_metadata: {
      messages: problems.map(
        (problem) => `[ERROR] ${problem.message} [json-pointer:${jsonPointer('', problem.path)}]`,
      ),
    },
  });
}

function invalidArguments(messages: string[]): SlackBody {
  return fail('invalid_arguments', {
    response_metadata: { messages: messages.map((message) => `[ERROR] ${message}`) },
  });
}

function viewProblems(problems: BlockKitProblem[]): SlackBody {
  return invalidArguments(
    problems.map(
      (problem) => `${problem.message} [json-pointer:${jsonPointer('/view', problem.path)}]`,
    ),
  );
}

function shortId(): string {
  return randomBytes(3).toString('base64url');
}

function withId(record: Record<string, unknown>, key: string): Record<string, unknown> {
  return typeof record[key] === 'string' && record[key] !== ''
    ? { ...record }
    : { ...record, [key]: shortId() };
}

// Slack fills in block_id and action_id when the app leaves them out, and the app then receives
// those generated ids in interaction payloads.
function withGeneratedIds(blocks: readonly unknown[]): unknown[] {
  const elementWithId = (element: unknown): unknown =>
    isRecord(element) && element.type !== 'image' ? withId(element, 'action_id') : element;
  return blocks.map((block) => {
    if (!isRecord(block)) {
      return block;
    }
    const copy = withId(block, 'block_id');
    if (isArray(copy.elements) && copy.type === 'actions') {
      copy.elements = copy.elements.map(elementWithId);
    }
    if (copy.accessory !== undefined) {
      copy.accessory = elementWithId(copy.accessory);
    }
    if (copy.element !== undefined) {
      copy.element = elementWithId(copy.element);
    }
    return copy;
  });
}

function stableSuffix(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 10).toUpperCase();
}

const messageMetadata = z.object({
  event_type: z.string(),
  event_payload: z.record(z.string(), z.unknown()),
});

function metadataOf(args: Args): Pick<StoredMessage, 'metadata'> {
  const parsed = messageMetadata.safeParse(args.metadata);
  return parsed.success ? { metadata: parsed.data } : {};
}

function cloneMessage(message: StoredMessage): StoredMessage {
  return structuredClone(message);
}

export class SlackStandIn {
  readonly apiUrl: string;
  readonly teamId: string;
  readonly botUserId: string;
  readonly botId: string;
  readonly appId: string;
  readonly calls: RecordedCall[] = [];
  readonly views = new Map<string, StoredView>();

  private readonly server: Server;
  private readonly origin: string;
  private readonly token: string;
  private readonly now: () => number;
  private readonly users = new Map<string, SlackUserFixture>();
  private readonly openDirectChannels = new Set<string>();
  private readonly channels = new Map<string, StoredMessage[]>();
  private readonly triggers = new Map<string, Trigger>();
  private readonly responseUrls = new Map<string, ResponseUrl>();
  private readonly throttles = new Map<string, { remaining: number; retryAfterSeconds: number }>();
  private readonly failures = new Map<string, string[]>();
  private readonly conditionalFailures: {
    method: string;
    matches: (args: Record<string, unknown>) => boolean;
    error: string;
  }[] = [];
  private readonly holds: Array<{
    method: string;
    matches: (args: Record<string, unknown>) => boolean;
    arrive: (args: Record<string, unknown>) => void;
    released: Promise<void>;
  }> = [];
  private stopRequested: () => void = () => {};
  private readonly stopping = new Promise<void>((resolve) => {
    this.stopRequested = resolve;
  });
  private readonly waiters = new Set<Waiter>();
  private lastTsMicros = 0;
  private counter = 0;

  private readonly methods: Record<string, (args: Args) => SlackBody> = {
    'auth.test': () => this.authTest(),
    'chat.postMessage': (args) => this.postMessage(args),
    'chat.update': (args) => this.updateMessage(args),
    'chat.postEphemeral': (args) => this.postEphemeral(args),
    'chat.getPermalink': (args) => this.getPermalink(args),
    'views.open': (args) => this.openView(args),
    'views.push': (args) => this.pushView(args),
    'views.update': (args) => this.updateView(args),
    'views.publish': (args) => this.publishView(args),
    'conversations.open': (args) => this.openConversation(args),
    'conversations.history': (args) => this.history(args),
    'conversations.replies': (args) => this.replies(args),
    'users.info': (args) => this.userInfo(args),
    'users.lookupByEmail': (args) => this.lookupByEmail(args),
  };

  private constructor(server: Server, port: number, options: SlackStandInOptions) {
    this.server = server;
    this.origin = `http://127.0.0.1:${port}`;
    this.apiUrl = `${this.origin}/api/`;
    this.teamId = options.teamId ?? 'T0LOCAL';
    this.botUserId = options.botUserId ?? 'U0LOCALBOT';
    this.botId = options.botId ?? 'B0LOCALBOT';
    this.appId = options.appId ?? 'A0LOCALAPP';
    this.token = options.token ?? 'xoxb-local-standin';
    this.now = options.now ?? Date.now;
    this.addUser({ id: this.botUserId, name: 'vams', realName: 'VAMS', isBot: true });
  }

  static async start(options: SlackStandInOptions = {}): Promise<SlackStandIn> {
    const server = createServer();
    const port = await new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        if (address === null || typeof address === 'string') {
          reject(new Error('the Slack stand-in did not get a TCP port'));
          return;
        }
        resolve(address.port);
      });
    });
    const standIn = new SlackStandIn(server, port, options);
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      standIn.handle(request, response).catch((error: unknown) => {
        send(response, { status: 500, body: fail('internal_error', { detail: String(error) }) });
      });
    });
    return standIn;
  }

  callsTo(method: string): RecordedCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  waitForCall(
    method: string,
    predicate?: (call: RecordedCall) => boolean,
    timeoutMs = 5_000,
  ): Promise<RecordedCall> {
    const matches = (call: RecordedCall): boolean =>
      call.method === method && (predicate === undefined || predicate(call));
    const recorded = this.calls.find(matches);
    if (recorded !== undefined) {
      return Promise.resolve(recorded);
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        matches,
        settle: (outcome) => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          if (outcome instanceof Error) {
            reject(outcome);
          } else {
            resolve(outcome);
          }
        },
      };
      const timer = setTimeout(() => {
        waiter.settle(
          new Error(
            `No ${method} call${predicate === undefined ? '' : ' matching the predicate'} ` +
              `within ${timeoutMs} ms; calls so far: ${this.describeCalls()}`,
          ),
        );
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  addUser(user: SlackUserFixture): void {
    this.users.set(user.id, { ...user });
  }

  getUser(userId: string): SlackUserFixture | undefined {
    const user = this.users.get(userId);
    return user === undefined ? undefined : { ...user };
  }

  issueTrigger(context: TriggerContext = {}): string {
    this.counter += 1;
    const seconds = Math.floor(this.now() / 1000);
    const triggerId = `${seconds}.${this.counter}.${randomBytes(10).toString('hex')}`;
    this.triggers.set(triggerId, { issuedAt: this.now(), used: false, context: { ...context } });
    return triggerId;
  }

  newResponseUrl(): string {
    this.counter += 1;
    const path = `/actions/${this.teamId}/${this.counter}/${randomBytes(12).toString('hex')}`;
    this.responseUrls.set(path, { createdAt: this.now(), uses: 0 });
    return `${this.origin}${path}`;
  }

  throttle(method: string, times: number, retryAfterSeconds = 1): void {
    this.throttles.set(method, { remaining: times, retryAfterSeconds });
  }

  /**
   * The next call to `method` whose arguments match is not answered until `release()`: the app
   * is caught mid-work, e.g. to be killed there. `arrived` resolves with the call's arguments.
   */
  hold(method: string, matches: (args: Record<string, unknown>) => boolean): Hold {
    let arrive: (args: Record<string, unknown>) => void = () => {};
    let release: () => void = () => {};
    const arrived = new Promise<Record<string, unknown>>((resolve) => {
      arrive = resolve;
    });
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.holds.push({ method, matches, arrive, released });
    return { arrived, release };
  }

  /**
   * Like `hold`, but the next matching call is carried out first and only its answer is held:
   * the app is caught after Slack acted and before it heard so, e.g. to be killed there.
   */
  holdAnswer(method: string, matches: (args: Record<string, unknown>) => boolean): Hold {
    return this.hold(`answer:${method}`, matches);
  }

  private async heldUntilReleased(method: string, args: Record<string, unknown>): Promise<void> {
    const index = this.holds.findIndex((hold) => hold.method === method && hold.matches(args));
    const hold = this.holds[index];
    if (!hold) return;
    this.holds.splice(index, 1);
    hold.arrive(args);
    await Promise.race([hold.released, this.stopping]);
  }

  /** The next call to `method` whose arguments match fails with `error`, as Slack would answer. */
  failWhen(
    method: string,
    matches: (args: Record<string, unknown>) => boolean,
    error: string,
  ): void {
    this.conditionalFailures.push({ method, matches, error });
  }

  failNext(method: string, error: string): void {
    const queued = this.failures.get(method) ?? [];
    queued.push(error);
    this.failures.set(method, queued);
  }

  messages(channel: string): StoredMessage[] {
    return (this.channels.get(channel) ?? []).map(cloneMessage);
  }

  // What Slack does with the answer to a view_submission: close, update, push or clear the
  // modal. Throws when Slack would refuse the answer, since the person would then see an error.
  applyViewSubmissionAck(viewId: string, ack: unknown): void {
    const current = this.views.get(viewId);
    if (current === undefined) {
      throw new Error(`view ${viewId} is not open`);
    }
    if (!isRecord(ack) || ack.response_action === undefined) {
      this.views.delete(viewId);
      return;
    }
    switch (ack.response_action) {
      case 'errors':
        this.checkFieldErrors(current.view, ack.errors);
        return;
      case 'update': {
        const view = this.checkedAckView(ack.view);
        this.views.set(viewId, this.buildView(view, current, current.userId));
        return;
      }
      case 'push': {
        const view = this.checkedAckView(ack.view);
        if (this.stackOf(viewId).length >= VIEW_STACK_DEPTH) {
          throw new Error('response_action push: the view stack is already 3 deep');
        }
        const pushed = this.buildView(view, undefined, current.userId, viewId);
        this.views.set(this.viewIdOf(pushed), pushed);
        return;
      }
      case 'clear':
        for (const id of this.stackOf(viewId)) {
          this.views.delete(id);
        }
        return;
      default:
        throw new Error(
          `Slack does not know response_action ${JSON.stringify(ack.response_action)}`,
        );
    }
  }

  clear(): void {
    this.calls.splice(0, this.calls.length);
  }

  async stop(): Promise<void> {
    this.stopRequested();
    for (const waiter of [...this.waiters]) {
      waiter.settle(new Error('the Slack stand-in stopped'));
    }
    await new Promise<void>((resolve, reject) => {
      this.server.close((error) => (error === undefined ? resolve() : reject(error)));
      // The WebClient keeps connections alive; without this close() waits for them to idle out.
      this.server.closeAllConnections();
    });
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', this.origin).pathname;
    const body = await readBody(request);
    if (request.method !== 'POST') {
      send(response, { status: 405, body: fail('method_not_allowed') });
      return;
    }
    if (path.startsWith('/api/')) {
      const method = path.slice('/api/'.length);
      const args = parseArgs(request.headers['content-type'], body) ?? {};
      await this.heldUntilReleased(method, args);
      const answer = this.webApi(method, request, body);
      await this.heldUntilReleased(`answer:${method}`, args);
      send(response, answer);
      return;
    }
    if (path.startsWith('/actions/')) {
      send(response, this.responseUrlPost(path, request, body));
      return;
    }
    send(response, { status: 404, body: fail('not_found') });
  }

  private webApi(method: string, request: IncomingMessage, body: string): Answer {
    const at = this.now();
    const parsed = parseArgs(request.headers['content-type'], body);
    const args: Args = { ...(parsed ?? {}) };
    const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    const token = bearer ?? stringArg(args, 'token');
    // The token never lands in the record: tests print calls when they fail.
    delete args.token;
    const answer = this.answerWebApi(method, args, parsed !== undefined, token);
    const error = answer.body.error;
    this.record({
      method,
      args,
      at,
      ok: answer.body.ok === true,
      ...(typeof error === 'string' ? { error } : {}),
    });
    return answer;
  }

  private answerWebApi(
    method: string,
    args: Args,
    parsed: boolean,
    token: string | undefined,
  ): Answer {
    const throttled = this.throttles.get(method);
    if (throttled !== undefined && throttled.remaining > 0) {
      throttled.remaining -= 1;
      return {
        status: 429,
        headers: { 'retry-after': String(throttled.retryAfterSeconds) },
        body: fail('ratelimited'),
      };
    }
    const conditional = this.conditionalFailures.findIndex(
      (failure) => failure.method === method && failure.matches(args),
    );
    if (conditional >= 0) {
      const [failure] = this.conditionalFailures.splice(conditional, 1);
      return { status: 200, body: fail(failure?.error ?? 'internal_error') };
    }
    const queuedError = this.failures.get(method)?.shift();
    if (queuedError !== undefined) {
      return { status: 200, body: fail(queuedError) };
    }
    const handler = this.methods[method];
    if (handler === undefined) {
      return { status: 200, body: fail('unknown_method', { req_method: method }) };
    }
    if (!parsed) {
      return { status: 200, body: fail('invalid_json') };
    }
    if (token === undefined) {
      return { status: 200, body: fail('not_authed') };
    }
    if (token !== this.token) {
      return { status: 200, body: fail('invalid_auth') };
    }
    return { status: 200, body: handler(args) };
  }

  private responseUrlPost(path: string, request: IncomingMessage, body: string): Answer {
    const at = this.now();
    const url = `${this.origin}${path}`;
    const json = parseJson(body);
    const parsed = json.ok ? argsSchema.safeParse(json.value) : undefined;
    const args: Args = { ...(parsed?.success === true ? parsed.data : {}), url };
    const answer = this.answerResponseUrl(
      path,
      request,
      parsed?.success === true ? args : undefined,
    );
    const error = answer.body.error;
    this.record({
      method: 'response_url',
      args,
      at,
      ok: answer.body.ok === true,
      ...(typeof error === 'string' ? { error } : {}),
    });
    return answer;
  }

  private answerResponseUrl(
    path: string,
    request: IncomingMessage,
    args: Args | undefined,
  ): Answer {
    const entry = this.responseUrls.get(path);
    if (
      entry === undefined ||
      entry.uses >= RESPONSE_URL_USES ||
      this.now() - entry.createdAt > RESPONSE_URL_LIFETIME_MS
    ) {
      return { status: 404, body: fail('expired_url') };
    }
    const mediaType = request.headers['content-type']?.split(';')[0]?.trim();
    if (mediaType !== 'application/json' || args === undefined) {
      return { status: 400, body: fail('invalid_payload') };
    }
    if (args.delete_original !== true) {
      const problem = this.messageProblem(args);
      if (problem !== undefined) {
        return { status: 400, body: problem };
      }
    }
    entry.uses += 1;
    return { status: 200, body: ok() };
  }

  private record(call: RecordedCall): void {
    this.calls.push(call);
    for (const waiter of [...this.waiters]) {
      try {
        if (waiter.matches(call)) {
          waiter.settle(call);
        }
      } catch (error) {
        waiter.settle(error instanceof Error ? error : new Error(String(error)));
      }
    }
  }

  private describeCalls(): string {
    if (this.calls.length === 0) {
      return 'none';
    }
    const counts = new Map<string, { total: number; failed: number }>();
    for (const call of this.calls) {
      const count = counts.get(call.method) ?? { total: 0, failed: 0 };
      count.total += 1;
      count.failed += call.ok ? 0 : 1;
      counts.set(call.method, count);
    }
    return [...counts]
      .map(([method, count]) =>
        count.failed > 0
          ? `${method} ×${count.total} (${count.failed} failed)`
          : `${method} ×${count.total}`,
      )
      .join(', ');
  }

  private nextTs(): string {
    // Real timestamps are seconds.microseconds and unique per channel; these are unique overall.
    this.lastTsMicros = Math.max(Math.floor(this.now()) * 1000, this.lastTsMicros + 100);
    const seconds = Math.floor(this.lastTsMicros / 1_000_000);
    const micros = this.lastTsMicros % 1_000_000;
    return `${seconds}.${String(micros).padStart(6, '0')}`;
  }

  private channelProblem(channel: unknown): string | undefined {
    if (typeof channel !== 'string') {
      return 'channel_not_found';
    }
    if (channel.startsWith('D')) {
      return this.openDirectChannels.has(channel) ? undefined : 'channel_not_found';
    }
    // User ids (U…, W…) and channel names are refused: the app must open a DM first.
    return /^[CG][A-Z0-9]+$/.test(channel) ? undefined : 'channel_not_found';
  }

  // The checks shared by everything that posts a message: text present, blocks well-formed and
  // within the limits.
  private messageProblem(args: Args): SlackBody | undefined {
    const text = typeof args.text === 'string' ? args.text : undefined;
    const blocks = args.blocks;
    if (blocks !== undefined && !isArray(blocks)) {
      return fail('invalid_blocks_format');
    }
    if (text === undefined && blocks === undefined && args.attachments === undefined) {
      return fail('no_text');
    }
    if (blocks !== undefined) {
      const problems = checkMessage({ text, blocks });
      if (problems.length > 0) {
        return invalidBlocks(problems);
      }
    }
    if (text !== undefined && text.length > MESSAGE_TEXT_CHARS) {
      return fail('msg_too_long');
    }
    return undefined;
  }

  private findMessage(channel: string, ts: unknown): StoredMessage | undefined {
    return this.channels.get(channel)?.find((message) => message.ts === ts);
  }

  private messageObject(channel: string, message: StoredMessage): SlackBody {
    return {
      type: 'message',
      user: this.botUserId,
      bot_id: this.botId,
      app_id: this.appId,
      team: this.teamId,
      channel,
      ts: message.ts,
      text: message.text ?? '',
      ...(message.blocks === undefined ? {} : { blocks: message.blocks }),
      ...(message.threadTs === undefined ? {} : { thread_ts: message.threadTs }),
    };
  }

  // Newest first, as Slack answers; metadata only when asked for.
  private history(args: Args): SlackBody {
    const channel = args.channel;
    if (typeof channel !== 'string' || this.channelProblem(channel) !== undefined) {
      return fail('channel_not_found');
    }
    const messages = (this.channels.get(channel) ?? []).filter(
      (message) => message.threadTs === undefined,
    );
    return ok({ messages: this.listed(channel, messages, args).reverse(), has_more: false });
  }

  // The parent first, then its replies oldest first, as Slack answers.
  private replies(args: Args): SlackBody {
    const channel = args.channel;
    if (typeof channel !== 'string' || this.channelProblem(channel) !== undefined) {
      return fail('channel_not_found');
    }
    const parent = this.findMessage(channel, args.ts);
    if (parent === undefined) return fail('thread_not_found');
    const thread = (this.channels.get(channel) ?? []).filter(
      (message) => message.ts === parent.ts || message.threadTs === parent.ts,
    );
    return ok({ messages: this.listed(channel, thread, args), has_more: false });
  }

  private listed(channel: string, messages: StoredMessage[], args: Args): SlackBody[] {
    const withMetadata = args.include_all_metadata === true || args.include_all_metadata === 'true';
    return messages.map((message) => ({
      ...this.messageObject(channel, cloneMessage(message)),
      ...(withMetadata && message.metadata ? { metadata: message.metadata } : {}),
    }));
  }

  private authTest(): SlackBody {
    return ok({
      url: `https://${TEAM_DOMAIN}.slack.com/`,
      team: 'Local stand-in',
      user: 'vams',
      team_id: this.teamId,
      user_id: this.botUserId,
      bot_id: this.botId,
      is_enterprise_install: false,
    });
  }

  private postMessage(args: Args): SlackBody {
    const channelProblem = this.channelProblem(args.channel);
    if (channelProblem !== undefined || typeof args.channel !== 'string') {
      return fail(channelProblem ?? 'channel_not_found');
    }
    const channel = args.channel;
    const problem = this.messageProblem(args);
    if (problem !== undefined) {
      return problem;
    }
    const threadTs = args.thread_ts;
    if (threadTs !== undefined) {
      // A number loses digits in JSON, and a reply's ts does not start a thread: both refused.
      const parent = this.findMessage(channel, threadTs);
      if (
        typeof threadTs !== 'string' ||
        !TS_PATTERN.test(threadTs) ||
        parent === undefined ||
        parent.threadTs !== undefined
      ) {
        return fail('invalid_thread_ts');
      }
    }
    const message: StoredMessage = {
      ts: this.nextTs(),
      ...(typeof threadTs === 'string' ? { threadTs } : {}),
      ...(typeof args.text === 'string' ? { text: args.text } : {}),
      ...(isArray(args.blocks) ? { blocks: withGeneratedIds(args.blocks) } : {}),
      ...metadataOf(args),
    };
    const stored = this.channels.get(channel) ?? [];
    stored.push(message);
    this.channels.set(channel, stored);
    return ok({
      channel,
      ts: message.ts,
      message: this.messageObject(channel, cloneMessage(message)),
    });
  }

  private updateMessage(args: Args): SlackBody {
    const channelProblem = this.channelProblem(args.channel);
    if (channelProblem !== undefined || typeof args.channel !== 'string') {
      return fail(channelProblem ?? 'channel_not_found');
    }
    const channel = args.channel;
    const message = this.findMessage(channel, args.ts);
    if (message === undefined) {
      return fail('message_not_found');
    }
    const problem = this.messageProblem(args);
    if (problem !== undefined) {
      return problem;
    }
    if (typeof args.text === 'string') {
      message.text = args.text;
    }
    // Like Slack: omitted blocks are kept, an empty array removes them.
    if (isArray(args.blocks)) {
      if (args.blocks.length === 0) {
        delete message.blocks;
      } else {
        message.blocks = withGeneratedIds(args.blocks);
      }
    }
    const metadata = metadataOf(args).metadata;
    if (metadata !== undefined) message.metadata = metadata;
    const copy = cloneMessage(message);
    return ok({
      channel,
      ts: copy.ts,
      text: copy.text ?? '',
      message: this.messageObject(channel, copy),
    });
  }

  private postEphemeral(args: Args): SlackBody {
    const channelProblem = this.channelProblem(args.channel);
    if (channelProblem !== undefined) {
      return fail(channelProblem);
    }
    if (stringArg(args, 'user') === undefined) {
      return fail('user_not_in_channel');
    }
    const problem = this.messageProblem(args);
    if (problem !== undefined) {
      return problem;
    }
    return ok({ message_ts: this.nextTs() });
  }

  private getPermalink(args: Args): SlackBody {
    const channelProblem = this.channelProblem(args.channel);
    if (channelProblem !== undefined || typeof args.channel !== 'string') {
      return fail(channelProblem ?? 'channel_not_found');
    }
    const channel = args.channel;
    const message = this.findMessage(channel, args.message_ts);
    if (message === undefined) {
      return fail('message_not_found');
    }
    const base = `https://${TEAM_DOMAIN}.slack.com/archives/${channel}/p${message.ts.replace('.', '')}`;
    const permalink =
      message.threadTs === undefined
        ? base
        : `${base}?thread_ts=${message.threadTs}&cid=${channel}`;
    return ok({ channel, permalink });
  }

  // A trigger is single-use and lives 3 s; views.* answers these exact errors.
  private exchangeTrigger(triggerId: unknown): { error: string } | { context: TriggerContext } {
    const trigger = typeof triggerId === 'string' ? this.triggers.get(triggerId) : undefined;
    if (trigger === undefined) {
      return { error: 'invalid_trigger_id' };
    }
    if (trigger.used) {
      return { error: 'exchanged_trigger_id' };
    }
    if (this.now() - trigger.issuedAt > TRIGGER_LIFETIME_MS) {
      return { error: 'expired_trigger_id' };
    }
    trigger.used = true;
    return { context: trigger.context };
  }

  /** Each user's published Home tab, newest last. */
  readonly homeViews = new Map<string, Record<string, unknown>[]>();

  homeOf(userId: string): Record<string, unknown> | undefined {
    return this.homeViews.get(userId)?.at(-1);
  }

  private publishView(args: Args): SlackBody {
    const userId = stringArg(args, 'user_id');
    if (userId === undefined) return invalidArguments(['missing required field: user_id']);
    const { view } = args;
    if (!isRecord(view)) return invalidArguments(['missing required field: view']);
    if (view.type !== 'home') {
      return invalidArguments(['must be a valid enum value: home [json-pointer:/view/type]']);
    }
    if (!isArray(view.blocks)) {
      return invalidArguments(['missing required field: blocks [json-pointer:/view/blocks]']);
    }
    const problems = checkView(view);
    if (problems.length > 0) return viewProblems(problems);
    if (!this.users.has(userId)) return fail('user_not_found');
    this.counter += 1;
    const published = {
      ...structuredClone(view),
      id: `VHOME${this.counter}`,
      team_id: this.teamId,
    };
    this.homeViews.set(userId, [...(this.homeViews.get(userId) ?? []), published]);
    return ok({ view: structuredClone(published) });
  }

  private viewArgProblem(view: unknown): SlackBody | undefined {
    if (!isRecord(view)) {
      return invalidArguments(['missing required field: view']);
    }
    if (view.type !== 'modal') {
      return invalidArguments(['must be a valid enum value: modal [json-pointer:/view/type]']);
    }
    if (!isArray(view.blocks)) {
      return invalidArguments(['missing required field: blocks [json-pointer:/view/blocks]']);
    }
    const problems = checkView(view);
    return problems.length > 0 ? viewProblems(problems) : undefined;
  }

  private viewIdOf(stored: StoredView): string {
    const id = stored.view.id;
    if (typeof id !== 'string') {
      throw new Error('a stored view has no id');
    }
    return id;
  }

  // Ids from the root view up to and including viewId.
  private stackOf(viewId: string): string[] {
    const stack: string[] = [];
    let id: string | undefined = viewId;
    while (id !== undefined && stack.length <= VIEW_STACK_DEPTH) {
      stack.unshift(id);
      const previous: unknown = this.views.get(id)?.view.previous_view_id;
      id = typeof previous === 'string' && this.views.has(previous) ? previous : undefined;
    }
    return stack;
  }

  private buildView(
    view: Record<string, unknown>,
    replacing: StoredView | undefined,
    userId: string | undefined,
    previousViewId?: string,
  ): StoredView {
    let id: string;
    if (replacing === undefined) {
      this.counter += 1;
      id = `V${this.counter.toString(36).toUpperCase().padStart(10, '0')}`;
    } else {
      id = this.viewIdOf(replacing);
    }
    const hash = `${Math.floor(this.now() / 1000)}.${randomBytes(4).toString('hex')}`;
    const previous =
      replacing?.view.previous_view_id ?? (previousViewId === undefined ? null : previousViewId);
    const root =
      replacing?.view.root_view_id ??
      (previousViewId === undefined
        ? id
        : (this.views.get(previousViewId)?.view.root_view_id ?? previousViewId));
    const blocks = isArray(view.blocks) ? withGeneratedIds(view.blocks) : [];
    return {
      view: {
        ...structuredClone(view),
        id,
        team_id: this.teamId,
        type: 'modal',
        blocks,
        private_metadata: typeof view.private_metadata === 'string' ? view.private_metadata : '',
        callback_id: typeof view.callback_id === 'string' ? view.callback_id : '',
        external_id: typeof view.external_id === 'string' ? view.external_id : '',
        clear_on_close: view.clear_on_close === true || view.clear_on_close === 'true',
        notify_on_close: view.notify_on_close === true || view.notify_on_close === 'true',
        state: { values: {} },
        hash,
        previous_view_id: previous,
        root_view_id: root,
        app_id: this.appId,
        app_installed_team_id: this.teamId,
        bot_id: this.botId,
      },
      hash,
      ...(userId === undefined ? {} : { userId }),
    };
  }

  private openView(args: Args): SlackBody {
    const problem = this.viewArgProblem(args.view);
    if (problem !== undefined || !isRecord(args.view)) {
      return problem ?? invalidArguments(['missing required field: view']);
    }
    const exchanged = this.exchangeTrigger(args.trigger_id);
    if ('error' in exchanged) {
      return fail(exchanged.error);
    }
    const stored = this.buildView(args.view, undefined, exchanged.context.userId);
    this.views.set(this.viewIdOf(stored), stored);
    return ok({ view: structuredClone(stored.view) });
  }

  private pushView(args: Args): SlackBody {
    const problem = this.viewArgProblem(args.view);
    if (problem !== undefined || !isRecord(args.view)) {
      return problem ?? invalidArguments(['missing required field: view']);
    }
    const exchanged = this.exchangeTrigger(args.trigger_id);
    if ('error' in exchanged) {
      return fail(exchanged.error);
    }
    // A trigger from inside a modal pushes onto that modal's stack; one from elsewhere (which
    // Slack's docs do not cover) starts a new stack rather than guessing an error.
    const parent = exchanged.context.viewId;
    const onStack = parent !== undefined && this.views.has(parent) ? parent : undefined;
    if (onStack !== undefined && this.stackOf(onStack).length >= VIEW_STACK_DEPTH) {
      return fail('push_limit_reached');
    }
    const stored = this.buildView(args.view, undefined, exchanged.context.userId, onStack);
    this.views.set(this.viewIdOf(stored), stored);
    return ok({ view: structuredClone(stored.view) });
  }

  private updateView(args: Args): SlackBody {
    const viewId = stringArg(args, 'view_id');
    const externalId = stringArg(args, 'external_id');
    if (viewId === undefined && externalId === undefined) {
      return invalidArguments(['view_id or external_id is required']);
    }
    const problem = this.viewArgProblem(args.view);
    if (problem !== undefined || !isRecord(args.view)) {
      return problem ?? invalidArguments(['missing required field: view']);
    }
    const current =
      viewId !== undefined
        ? this.views.get(viewId)
        : [...this.views.values()].find((stored) => stored.view.external_id === externalId);
    if (current === undefined) {
      return fail('not_found');
    }
    const hash = stringArg(args, 'hash');
    if (hash !== undefined && hash !== current.hash) {
      return fail('hash_conflict');
    }
    const updated = this.buildView(args.view, current, current.userId);
    this.views.set(this.viewIdOf(updated), updated);
    return ok({ view: structuredClone(updated.view) });
  }

  private checkedAckView(view: unknown): Record<string, unknown> {
    const problem = this.viewArgProblem(view);
    if (problem !== undefined || !isRecord(view)) {
      throw new Error(
        `Slack would refuse the view in the view_submission ack: ${JSON.stringify(problem)}`,
      );
    }
    return view;
  }

  private checkFieldErrors(view: Record<string, unknown>, errors: unknown): void {
    if (!isRecord(errors) || Object.keys(errors).length === 0) {
      throw new Error('response_action errors needs a non-empty errors object');
    }
    const inputBlockIds = (isArray(view.blocks) ? view.blocks : []).flatMap((block) =>
      isRecord(block) && block.type === 'input' && typeof block.block_id === 'string'
        ? [block.block_id]
        : [],
    );
    // Slack shows nothing for an error keyed by anything but an input block_id.
    const unknownKeys = Object.keys(errors).filter((key) => !inputBlockIds.includes(key));
    if (unknownKeys.length > 0) {
      throw new Error(
        `response_action errors names ${unknownKeys.join(', ')}, which are not input blocks of ` +
          `the view (input block_ids: ${inputBlockIds.join(', ') || 'none'})`,
      );
    }
  }

  private openConversation(args: Args): SlackBody {
    const existing = stringArg(args, 'channel');
    if (existing !== undefined) {
      return this.channelProblem(existing) === undefined
        ? ok({ no_op: true, already_open: true, channel: { id: existing } })
        : fail('channel_not_found');
    }
    const userIds = (stringArg(args, 'users') ?? '')
      .split(',')
      .map((id) => id.trim())
      .filter((id) => id !== '');
    if (userIds.length === 0) {
      return fail('users_list_not_supplied');
    }
    for (const userId of userIds) {
      const user = this.users.get(userId);
      if (user === undefined) {
        return fail('user_not_found');
      }
      if (user.deleted === true) {
        return fail('user_disabled');
      }
    }
    const prefix = userIds.length === 1 ? 'D' : 'G';
    const id = `${prefix}${stableSuffix([...userIds].sort().join(','))}`;
    const alreadyOpen = this.openDirectChannels.has(id);
    this.openDirectChannels.add(id);
    return ok({
      ...(alreadyOpen ? { no_op: true, already_open: true } : {}),
      channel: { id },
    });
  }

  /** The DM channel `conversations.open` gives for one person. */
  dmChannelOf(userId: string): string {
    return `D${stableSuffix(userId)}`;
  }

  private slackUser(user: SlackUserFixture): SlackBody {
    const name = user.name ?? user.id.toLowerCase();
    const realName = user.realName ?? name;
    return {
      id: user.id,
      team_id: user.teamId ?? this.teamId,
      name,
      real_name: realName,
      deleted: user.deleted ?? false,
      is_bot: user.isBot ?? false,
      is_app_user: false,
      is_restricted: user.isRestricted ?? false,
      is_ultra_restricted: user.isUltraRestricted ?? false,
      is_email_confirmed: user.emailConfirmed ?? user.email !== undefined,
      profile: {
        real_name: realName,
        display_name: name,
        ...(user.email === undefined ? {} : { email: user.email }),
      },
    };
  }

  private userInfo(args: Args): SlackBody {
    const userId = stringArg(args, 'user');
    const user = userId === undefined ? undefined : this.users.get(userId);
    return user === undefined ? fail('user_not_found') : ok({ user: this.slackUser(user) });
  }

  private lookupByEmail(args: Args): SlackBody {
    const email = stringArg(args, 'email')?.toLowerCase();
    const user = [...this.users.values()].find(
      (candidate) => email !== undefined && candidate.email?.toLowerCase() === email,
    );
    return user === undefined ? fail('users_not_found') : ok({ user: this.slackUser(user) });
  }
}
