import type { IncomingMessage } from 'node:http';
import { parse as parseForm } from 'node:querystring';
import { z } from 'zod';

/** What the bot's HTTP server does with a request, decided before Bolt sees it. */
export type Route =
  | { kind: 'events' }
  | { kind: 'health' }
  | { kind: 'metrics' }
  | { kind: 'refuse'; status: 404 }
  | { kind: 'refuse'; status: 405; allow: string };

const PATHS: Record<string, { kind: 'events' | 'health' | 'metrics'; methods: readonly string[] }> =
  {
    '/slack/events': { kind: 'events', methods: ['POST'] },
    '/healthz': { kind: 'health', methods: ['GET', 'HEAD'] },
    '/metrics': { kind: 'metrics', methods: ['GET'] },
  };

/**
 * Bolt throws for any request it does not serve itself, so nothing reaches it that it would
 * not serve: an unknown path is 404, a known path with another method 405.
 */
export function routeOf(method: string | undefined, url: string | undefined): Route {
  let path: string;
  try {
    path = new URL(url ?? '/', 'http://localhost').pathname;
  } catch {
    return { kind: 'refuse', status: 404 };
  }
  const known = Object.hasOwn(PATHS, path) ? PATHS[path] : undefined;
  if (!known) return { kind: 'refuse', status: 404 };
  if (!known.methods.includes((method ?? '').toUpperCase())) {
    return { kind: 'refuse', status: 405, allow: known.methods.join(', ') };
  }
  return { kind: known.kind };
}

// Bolt's parser only takes this exact content type as a form.
const FORM = 'application/x-www-form-urlencoded';
// The interactivity payloads the bot has listeners for (buttons, dialogs, the Roles picker).
const SERVED_PAYLOADS = new Set(['block_actions', 'view_submission', 'block_suggestion']);

const interactivity = z.object({ type: z.string() });
// Events API callbacks arrive as JSON; only these events have listeners.
const JSON_TYPE = 'application/json';
const SERVED_EVENTS = new Set(['app_home_opened']);
const eventsApiBody = z.union([
  z.object({ type: z.literal('url_verification'), challenge: z.string() }),
  z.object({
    type: z.literal('event_callback'),
    team_id: z.string().optional(),
    event: z.object({ type: z.string() }).loose(),
  }),
]);

function jsonBodyKind(text: string): 'serve' | 'unserved' | 'malformed' {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return 'malformed';
  }
  const typed = eventsApiBody.safeParse(parsed);
  if (!typed.success) return 'malformed';
  if (typed.data.type === 'url_verification') return 'serve';
  return SERVED_EVENTS.has(typed.data.event.type) ? 'serve' : 'unserved';
}

/**
 * A signed body, read the way Bolt will read it. Bolt assumes an object: `payload=null` or a
 * JSON `null` makes it throw outside its own error handling, and a body it cannot type is never
 * answered. `malformed` is answered 400, `unserved` (Slack sent something the bot has no
 * listener for) is acknowledged with an empty 200, `serve` goes to Bolt.
 */
export function eventBodyKind(
  contentType: string | undefined,
  text: string,
): 'serve' | 'unserved' | 'malformed' {
  if (contentType?.split(';')[0]?.trim() === JSON_TYPE) return jsonBodyKind(text);
  if (contentType !== FORM) return 'malformed';
  const form = parseForm(text);
  const { payload } = form;
  if (payload === undefined) {
    const isCommand = typeof form.command === 'string' && form.command !== '';
    return isCommand || form.ssl_check === '1' ? 'serve' : 'malformed';
  }
  if (typeof payload !== 'string') return 'malformed';
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    return 'malformed';
  }
  const typed = interactivity.safeParse(parsed);
  if (!typed.success) return 'malformed';
  return SERVED_PAYLOADS.has(typed.data.type) ? 'serve' : 'unserved';
}

/**
 * The whole body, or undefined once it passes `limit` bytes: the rest is not kept, and the
 * caller answers and closes the connection.
 */
export function readBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const collect = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      request.off('data', collect);
      request.off('end', done);
      resolve(undefined);
    };
    const done = () => resolve(Buffer.concat(chunks));
    request.on('data', collect);
    request.once('end', done);
    request.once('error', reject);
  });
}
