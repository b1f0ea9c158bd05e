import { randomUUID } from 'node:crypto';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  GetLogEventsCommand,
  type OutputLogEvent,
} from '@aws-sdk/client-cloudwatch-logs';
import { type AuditLogWarning, auditTee, CloudWatchAuditLog } from '../../src/aws/audit-log';
import { createLogger } from '../../src/logging';
import { logAuthChangeBy } from '../../src/workflow/auth-changes';

const client = new CloudWatchLogsClient({});
afterAll(() => client.destroy());

const apiKey = `vams_${'Ab3_x'.repeat(4)}`;
const admin = { users: ['ada@example.com'], roles: ['admin'] };

async function newGroup(): Promise<string> {
  const name = `/vams/auth-changes/${randomUUID()}`;
  await client.send(new CreateLogGroupCommand({ logGroupName: name }));
  return name;
}

async function readBack(group: string, stream: string): Promise<OutputLogEvent[]> {
  const events: OutputLogEvent[] = [];
  let token: string | undefined;
  for (;;) {
    const page = await client.send(
      new GetLogEventsCommand({
        logGroupName: group,
        logStreamName: stream,
        startFromHead: true,
        ...(token ? { nextToken: token } : {}),
      }),
    );
    events.push(...(page.events ?? []));
    if (!page.nextForwardToken || page.nextForwardToken === token) return events;
    token = page.nextForwardToken;
  }
}

/** A client that records the messages of each PutLogEvents call it makes. */
function recordedPuts() {
  const calls: string[][] = [];
  const recording = new CloudWatchLogsClient({});
  recording.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'PutLogEventsCommand' && 'logEvents' in args.input) {
        calls.push((args.input.logEvents ?? []).map((event) => event.message ?? ''));
      }
      return next(args);
    },
    { step: 'initialize', name: 'recordPuts' },
  );
  return { calls, recording };
}

/** A real logger whose lines go to `lines`, and its audit lines to `audit` too. */
function teedLogger(audit: CloudWatchAuditLog) {
  const lines: string[] = [];
  const logger = createLogger('info', auditTee({ write: (line) => lines.push(line) }, audit));
  return { lines, logger };
}

function warnings() {
  const seen: AuditLogWarning[] = [];
  return { seen, onWarning: (warning: AuditLogWarning) => seen.push(warning) };
}

describe('the audit log in CloudWatch Logs', () => {
  it('ships exactly the audit lines, once each, in order, scrubbed of secrets', async () => {
    const group = await newGroup();
    const stream = `vams-chatops/2026/12/04/${randomUUID()}`;
    const audit = new CloudWatchAuditLog(client, group, stream);
    const { lines, logger } = teedLogger(audit);

    logger.info('request created');
    logAuthChangeBy(logger, 'userRoleCreate', admin, { role: 'viewer', userId: 'nia' });
    logger.warn({ detail: '[AUTHCHANGES] only in a field' }, 'not an audit line');
    logAuthChangeBy(logger, 'apiKeyCreate', admin, { note: `delivered ${apiKey}` });
    // Put together only when pino formats the line: the streamWrite hook is what scrubs it.
    logger.info('[AUTHCHANGES][type: apiKeyRotate] [user: ada] vams_%s', 'Zz9-Zz9-Zz9-Zz9-Zz9-');
    logAuthChangeBy(logger, 'userRoleDelete', admin, { role: 'viewer', userId: 'nia' });
    await audit.flush();
    await audit.flush();

    const shipped = await readBack(group, stream);
    expect(shipped.map((event) => event.message)).toEqual([
      '[AUTHCHANGES][type: userRoleCreate] [user: ada@example.com] [roles: admin] [mfaEnabled: false] {"role":"viewer","userId":"nia"}',
      '[AUTHCHANGES][type: apiKeyCreate] [user: ada@example.com] [roles: admin] [mfaEnabled: false] {"note":"delivered [redacted]"}',
      '[AUTHCHANGES][type: apiKeyRotate] [user: ada] [redacted]',
      '[AUTHCHANGES][type: userRoleDelete] [user: ada@example.com] [roles: admin] [mfaEnabled: false] {"role":"viewer","userId":"nia"}',
    ]);
    const times = shipped.map((event) => event.timestamp ?? 0);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    // The bot's own log still has every line.
    expect(lines).toHaveLength(6);
    expect(lines.join('')).not.toContain('Zz9-Zz9');
    expect(audit.pending).toBe(0);
  });

  it('keeps lines it could not send, and sends them once when the group exists', async () => {
    const group = `/vams/auth-changes/${randomUUID()}`;
    const stream = `vams-chatops/2026/12/04/${randomUUID()}`;
    const { seen, onWarning } = warnings();
    const audit = new CloudWatchAuditLog(client, group, stream, { onWarning });
    const { logger } = teedLogger(audit);

    logAuthChangeBy(logger, 'userRoleCreate', admin, { n: 1 });
    logAuthChangeBy(logger, 'userRoleCreate', admin, { n: 2 });
    await audit.flush();
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ pending: 2, dropped: 0 });
    expect(seen[0]?.error).toMatchObject({ name: 'ResourceNotFoundException' });

    await client.send(new CreateLogGroupCommand({ logGroupName: group }));
    logAuthChangeBy(logger, 'userRoleCreate', admin, { n: 3 });
    await audit.flush();
    await audit.flush();
    expect(seen).toHaveLength(1);
    expect((await readBack(group, stream)).map((event) => event.message?.slice(-7))).toEqual([
      '{"n":1}',
      '{"n":2}',
      '{"n":3}',
    ]);
  });

  it('sends one call at a time when flushes overlap', async () => {
    const group = await newGroup();
    const stream = `vams-chatops/2026/12/04/${randomUUID()}`;
    const slow = new CloudWatchLogsClient({});
    let inFlight = 0;
    let most = 0;
    slow.middlewareStack.add(
      (next) => async (args) => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        try {
          await new Promise((resolve) => setTimeout(resolve, 50));
          return await next(args);
        } finally {
          inFlight -= 1;
        }
      },
      { step: 'initialize', name: 'slowCalls' },
    );
    const audit = new CloudWatchAuditLog(slow, group, stream);
    const { logger } = teedLogger(audit);
    for (let n = 0; n < 5; n += 1) logAuthChangeBy(logger, 't', admin, { n });
    const first = audit.flush();
    logAuthChangeBy(logger, 't', admin, { n: 5 });
    const second = audit.flush();
    logAuthChangeBy(logger, 't', admin, { n: 6 });
    await Promise.all([first, second, audit.flush()]);
    slow.destroy();
    expect(most).toBe(1);
    const shipped = await readBack(group, stream);
    expect(shipped.map((event) => event.message?.slice(-7))).toEqual(
      [0, 1, 2, 3, 4, 5, 6].map((n) => `{"n":${n}}`),
    );
  });

  it('splits more lines than one call may carry into several calls, all of which arrive', async () => {
    const group = await newGroup();
    const stream = `vams-chatops/2026/12/04/${randomUUID()}`;
    const { calls, recording } = recordedPuts();
    const audit = new CloudWatchAuditLog(recording, group, stream);
    const start = Date.now() - 60_000;
    for (let n = 0; n < 12_000; n += 1) audit.add(`[AUTHCHANGES][type: bulk] ${n}`, start + n);
    await audit.flush();
    recording.destroy();
    expect(calls.map((call) => call.length)).toEqual([10_000, 2_000]);
    const shipped = await readBack(group, stream);
    expect(shipped).toHaveLength(12_000);
    expect(new Set(shipped.map((event) => event.message)).size).toBe(12_000);
    expect(shipped[11_999]?.message).toBe('[AUTHCHANGES][type: bulk] 11999');
  });

  it('keeps each call within a megabyte, counting 26 bytes per line', async () => {
    const group = await newGroup();
    const stream = `vams-chatops/2026/12/04/${randomUUID()}`;
    const { calls, recording } = recordedPuts();
    const audit = new CloudWatchAuditLog(recording, group, stream);
    const now = Date.now() - 60_000;
    // 5,000 lines of 200 bytes are 1,000,000 bytes of text, but 1,130,000 as CloudWatch counts.
    const line = (n: number) => `[AUTHCHANGES] ${String(n).padStart(4, '0')} `.padEnd(200, 'x');
    for (let n = 0; n < 5_000; n += 1) audit.add(line(n), now + n);
    await audit.flush();
    recording.destroy();
    expect(calls.map((call) => call.length)).toEqual([4_639, 361]);
    expect((await readBack(group, stream)).map((event) => event.message)).toEqual(
      Array.from({ length: 5_000 }, (_, n) => line(n)),
    );
  });

  it('cuts a line too long for one event instead of failing every call it is in', async () => {
    const group = await newGroup();
    const stream = `vams-chatops/2026/12/04/${randomUUID()}`;
    const audit = new CloudWatchAuditLog(client, group, stream);
    audit.add(`[AUTHCHANGES] ${'é'.repeat(200_000)}`, Date.now());
    audit.add('[AUTHCHANGES] after it', Date.now() + 1);
    await audit.flush();
    const [long, after] = (await readBack(group, stream)).map((event) => event.message ?? '');
    expect(long?.endsWith(' …[truncated]')).toBe(true);
    expect(Buffer.byteLength(long ?? '') + 26).toBeLessThanOrEqual(262_144);
    expect(long?.includes('\uFFFD')).toBe(false);
    expect(after).toBe('[AUTHCHANGES] after it');
  });

  it('keeps each call within a day, and gives up lines too old for CloudWatch', async () => {
    const group = await newGroup();
    const stream = `vams-chatops/2026/12/04/${randomUUID()}`;
    const { calls, recording } = recordedPuts();
    const { seen, onWarning } = warnings();
    const now = Date.now();
    const day = 24 * 3_600_000;
    const audit = new CloudWatchAuditLog(recording, group, stream, {
      onWarning,
      clock: () => new Date(now),
    });
    audit.add('[AUTHCHANGES] a fortnight and a day ago', now - 15 * day);
    audit.add('[AUTHCHANGES] three days ago', now - 3 * day);
    audit.add('[AUTHCHANGES] two days ago', now - 2 * day);
    audit.add('[AUTHCHANGES] now', now);
    await audit.flush();
    recording.destroy();
    expect(calls).toEqual([
      ['[AUTHCHANGES] three days ago'],
      ['[AUTHCHANGES] two days ago'],
      ['[AUTHCHANGES] now'],
    ]);
    expect(seen).toMatchObject([{ dropped: 1, pending: 0 }]);
  });

  it('drops the oldest lines past its bound, and says how many', async () => {
    const group = `/vams/auth-changes/${randomUUID()}`;
    const stream = `vams-chatops/2026/12/04/${randomUUID()}`;
    const { seen, onWarning } = warnings();
    // Each line counts 26 + 10 bytes: room for three.
    const audit = new CloudWatchAuditLog(client, group, stream, {
      onWarning,
      maxPendingBytes: 110,
    });
    const now = Date.now();
    for (let n = 0; n < 5; n += 1) audit.add(`[AUTHCH] ${n}`, now + n);
    expect(audit.pending).toBe(3);
    await audit.flush();
    expect(seen[0]).toMatchObject({ dropped: 2, pending: 3 });

    await client.send(new CreateLogGroupCommand({ logGroupName: group }));
    await audit.flush();
    expect((await readBack(group, stream)).map((event) => event.message)).toEqual([
      '[AUTHCH] 2',
      '[AUTHCH] 3',
      '[AUTHCH] 4',
    ]);
  });

  it('passes every line on, and audits only JSON lines whose message is an audit line', () => {
    const added: [string, number][] = [];
    const written: string[] = [];
    const tee = auditTee(
      { write: (line) => written.push(line) },
      { add: (message, at) => added.push([message, at]) },
      () => new Date(1_800_000_000_000),
    );
    tee.write('[AUTHCHANGES] not json\n');
    tee.write('{"msg":[AUTHCHANGES]\n');
    tee.write('{"msg":"said [AUTHCHANGES]","time":1}\n');
    tee.write('{"msg":{"text":"[AUTHCHANGES]"},"time":1}\n');
    tee.write('{"msg":"[AUTHCHANGES] a","time":1700000000000}\n');
    tee.write('{"msg":"[AUTHCHANGES] b","time":"yesterday"}\n');
    expect(written).toHaveLength(6);
    expect(added).toEqual([
      ['[AUTHCHANGES] a', 1_700_000_000_000],
      ['[AUTHCHANGES] b', 1_800_000_000_000],
    ]);
  });

  it('passes a flush on to a destination that has one', () => {
    let flushed = 0;
    const tee = auditTee(
      {
        write: () => {},
        flush: (done) => {
          flushed += 1;
          done();
        },
      },
      { add: () => {} },
    );
    const done = jest.fn();
    tee.flush?.(done);
    expect([flushed, done.mock.calls.length]).toEqual([1, 1]);
  });
});
