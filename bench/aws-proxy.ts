import { Agent, createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// A loopback proxy in front of one emulator (DynamoDB Local or moto). The bot is pointed at it
// through AWS_ENDPOINT_URL_*, and it records every call: which operation, when, how long the
// emulator took. It can also play Cognito's quotas: above a quota's calls in any one second it
// answers TooManyRequestsException as Cognito does, without passing the call on.

export interface ProxiedCall {
  /** The operation, from X-Amz-Target: `AdminCreateUser`, `PutItem`, … */
  operation: string;
  /** performance.now() of this process when the call arrived and when its answer was sent. */
  startedAt: number;
  endedAt: number;
  status: number;
  throttled: boolean;
}

export interface AwsProxy {
  url: string;
  readonly calls: readonly ProxiedCall[];
  clear(): void;
  stop(): Promise<void>;
}

export interface Quota {
  /** Calls allowed in any 1,000 ms; above it, TooManyRequestsException. */
  perSecond: number;
  /** The operations it counts (Cognito counts reads apart from changes); unset: all. */
  operations?: ReadonlySet<string>;
}

export interface AwsProxyOptions {
  /** The emulator's endpoint, e.g. http://127.0.0.1:8000. */
  target: string;
  /** Each call counts against the first quota that covers its operation; none: no quota. */
  quotas?: readonly Quota[];
}

function operationOf(incoming: IncomingMessage): string {
  const target = incoming.headers['x-amz-target'];
  const value = Array.isArray(target) ? target[0] : target;
  return value?.split('.').pop() ?? `${incoming.method ?? '?'} ${incoming.url ?? ''}`;
}

/** Admission times of the last second, oldest first: a sliding window, as strict as a quota. */
class SlidingWindow {
  private readonly admitted: number[] = [];
  private head = 0;

  constructor(private readonly perSecond: number) {}

  admit(now: number): boolean {
    while (this.head < this.admitted.length && (this.admitted[this.head] ?? 0) <= now - 1000) {
      this.head += 1;
    }
    if (this.head > 4096) {
      this.admitted.splice(0, this.head);
      this.head = 0;
    }
    if (this.admitted.length - this.head >= this.perSecond) return false;
    this.admitted.push(now);
    return true;
  }
}

const THROTTLED_BODY = JSON.stringify({
  __type: 'TooManyRequestsException',
  message: 'Rate exceeded',
});

export async function startAwsProxy(options: AwsProxyOptions): Promise<AwsProxy> {
  const target = new URL(options.target);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const windows = (options.quotas ?? []).map((quota) => ({
    quota,
    window: new SlidingWindow(quota.perSecond),
  }));
  const windowOf = (operation: string) =>
    windows.find(({ quota }) => quota.operations?.has(operation) ?? true)?.window;
  let calls: ProxiedCall[] = [];

  const answer = (incoming: IncomingMessage, outgoing: ServerResponse, body: Buffer) => {
    const startedAt = performance.now();
    const operation = operationOf(incoming);
    const record = (status: number, throttled: boolean) =>
      calls.push({ operation, startedAt, endedAt: performance.now(), status, throttled });
    const window = windowOf(operation);
    if (window && !window.admit(startedAt)) {
      outgoing.writeHead(400, {
        'content-type': 'application/x-amz-json-1.1',
        'x-amzn-errortype': 'TooManyRequestsException',
        'content-length': Buffer.byteLength(THROTTLED_BODY),
      });
      outgoing.end(THROTTLED_BODY);
      record(400, true);
      return;
    }
    const upstream = request(
      {
        agent,
        host: target.hostname,
        port: target.port,
        method: incoming.method,
        path: incoming.url,
        headers: incoming.headers,
      },
      (reply) => {
        outgoing.writeHead(reply.statusCode ?? 502, reply.headers);
        reply.pipe(outgoing);
        reply.once('end', () => record(reply.statusCode ?? 502, false));
      },
    );
    upstream.once('error', (error) => {
      if (!outgoing.headersSent) outgoing.writeHead(502);
      outgoing.end(String(error));
      record(502, false);
    });
    upstream.end(body);
  };

  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.once('end', () => answer(incoming, outgoing, Buffer.concat(chunks)));
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get calls() {
      return calls;
    },
    clear: () => {
      calls = [];
    },
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}

/** Time covered by at least one of the calls: their union, so overlapping calls count once. */
export function busyMs(calls: readonly ProxiedCall[]): number {
  const spans = calls.map((call) => [call.startedAt, call.endedAt] as const);
  spans.sort((a, b) => a[0] - b[0]);
  let total = 0;
  let [from, to] = [Number.NaN, Number.NaN];
  for (const [start, end] of spans) {
    if (!(start <= to)) {
      if (Number.isFinite(from)) total += to - from;
      [from, to] = [start, end];
    } else if (end > to) to = end;
  }
  if (Number.isFinite(from)) total += to - from;
  return total;
}
