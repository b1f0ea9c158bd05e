import type { AccessRequest } from '../../src/domain/request';
import { RequestStore } from '../../src/stores/request.store';
import type { SlackDriver } from '../../test/support/slack-driver';
import { SlackStandIn, type StoredMessage } from '../../test/support/slack-standin';
import { APPROVAL_CHANNEL } from '../../test/support/test-bot';
import type { TestDeployment } from '../../test/support/vams-deployment';
import type { Stopped } from '../child-process';
import type { LoadRun } from '../figures';
import {
  type BudgetCheck,
  busyMachineLines,
  check,
  fixed,
  percent,
  type Scenario,
  table,
} from '../harness';
import { type OpenLoopResult, runOpenLoop } from '../open-loop';
import {
  type BotProcess,
  keyRequestDialogs,
  keySubmissionBodies,
  measured,
  preparedCommand,
  recordedBodies,
  type ServerProcess,
  startBareBoltProcess,
  until,
  withBotProcess,
  withStandIn,
} from '../servers';
import { type LatencyStats, latencyStats } from '../stats';

// How fast the bot acknowledges what Slack sends it, beside a bare Bolt app on the same machine:
// `/vams help`, `/vams whoami`, the submission of a key request dialog and an Approve click on
// the request it filed, each at 100 requests/s (the dialogs are opened beforehand). The submissions file
// real requests, and the clicks approve them, so each click also sets off the key's creation:
// the acks are timed while the bot does the work they start.

const RATE_PER_SECOND = 100;
const LOAD_MS = 10_000;
const WARM_UP_MS = 1_000;
const REPLY_TIMEOUT_MS = 10_000;
const SETTLE_TIMEOUT_MS = 120_000;
const DIALOGS_PER_SECOND = 50;
const DIALOG_TIMEOUT_MS = 15_000;
const REQUESTER = 'U0BENCH';
const REQUESTER_EMAIL = 'bench@example.com';
const APPROVER = 'U0APPROVER';
const APPROVER_EMAIL = 'approver@example.com';

const BUDGETS = { ackP99Ms: 25, ackVsBare: 2, whoamiCpuMs: 3 } as const;

type Load = 'help' | 'whoami' | 'submission' | 'click';
const LOADS: readonly Load[] = ['help', 'whoami', 'submission', 'click'];
const LABELS: Record<Load, string> = {
  help: '/vams help',
  whoami: '/vams whoami',
  submission: 'key request dialog submitted',
  click: 'Approve click on its card',
};

interface Figures {
  ratePerSecond: number;
  durationMs: number;
  warmUpMs: number;
  bot: Record<Load, LoadRun>;
  bare: Record<Load, LoadRun>;
  whoamiReply: { errors: number; errorSamples: string[]; latency: LatencyStats };
  /** Dialogs opened for the submissions that never showed their form, and why. */
  dialogsNotShown: number;
  viewCalls: string;
  /** Requests the submissions filed and what became of them once the clicks were handled. */
  filed: number;
  endStates: Record<string, number>;
  botLogLines: number;
  servers: { bot: Stopped & { logLinesWithSecrets: number }; bare: Stopped };
}

/** The next body a load sends. */
type Body = () => string | Promise<string>;

function expectEmptyAck(what: string) {
  return async (answer: Promise<{ status: number; text: string }>) => {
    const { status, text } = await answer;
    if (status !== 200) throw new Error(`${what} answered HTTP ${status}`);
    if (text !== '') throw new Error(`${what} ack is not empty: ${text.slice(0, 120)}`);
  };
}

function load(driver: SlackDriver, bodies: Body, what: string, durationMs: number) {
  const expect = expectEmptyAck(what);
  return runOpenLoop({
    ratePerSecond: RATE_PER_SECOND,
    durationMs,
    send: async () => expect(driver.sendSigned(await bodies())),
  });
}

interface WhoamiFigures {
  ack: OpenLoopResult;
  replyMs: number[];
  replyErrors: string[];
}

async function whoamiLoad(
  driver: SlackDriver,
  slack: SlackStandIn,
  durationMs: number,
): Promise<WhoamiFigures> {
  const replyMs: number[] = [];
  const replyErrors: string[] = [];
  const replies: Promise<void>[] = [];
  const expect = expectEmptyAck('whoami');
  const ack = await runOpenLoop({
    ratePerSecond: RATE_PER_SECOND,
    durationMs,
    send: async () => {
      const { body, responseUrl } = await preparedCommand(slack, REQUESTER, 'whoami');
      const sentAt = performance.now();
      // Waiting from before the send: a reply recorded early is still timed from its request.
      const reply = slack.waitForCall(
        'response_url',
        (call) => call.args.url === responseUrl,
        REPLY_TIMEOUT_MS,
      );
      replies.push(
        reply.then(
          (call) => {
            if (!call.ok) replyErrors.push(`the stand-in refused the reply: ${call.error}`);
            else if (!JSON.stringify(call.args).includes('`admin`')) {
              replyErrors.push('the reply does not show the admin role');
            } else replyMs.push(performance.now() - sentAt);
          },
          (error: unknown) => {
            replyErrors.push(error instanceof Error ? error.message.slice(0, 160) : String(error));
          },
        ),
      );
      await expect(driver.sendSigned(body));
    },
  });
  await Promise.all(replies);
  return { ack, replyMs, replyErrors };
}

/** What the stand-in answered to views.open and views.update, counted by outcome. */
function viewCalls(slack: SlackStandIn): string {
  const counts = new Map<string, number>();
  for (const call of slack.calls) {
    if (!call.method.startsWith('views.')) continue;
    const key = `${call.method} ${call.ok ? 'ok' : call.error}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([key, count]) => `${key}: ${count}`).join(', ');
}

function cardsOf(slack: SlackStandIn, requests: readonly AccessRequest[]): StoredMessage[] {
  const byTs = new Map(
    slack
      .messages(APPROVAL_CHANNEL)
      .filter((message) => message.threadTs === undefined)
      .map((message) => [message.ts, message]),
  );
  return requests.flatMap((request) => {
    const card = request.card === undefined ? undefined : byTs.get(request.card.ts);
    return card === undefined ? [] : [card];
  });
}

function clickBodies(slack: SlackStandIn, cards: readonly StoredMessage[]): Promise<string[]> {
  return recordedBodies(slack, cards, (driver, card) =>
    driver.clickButton(
      APPROVER,
      { channel: APPROVAL_CHANNEL, ts: card.ts, message: card },
      'Approve',
    ),
  );
}

/** Hands out the bodies in order, then fails: a load never sends one twice. */
function oneEach(bodies: readonly string[]): Body {
  let next = 0;
  return () => {
    const body = bodies[next];
    next += 1;
    if (body === undefined) throw new Error('ran out of prepared bodies');
    return body;
  };
}

const perPhase = (durationMs: number) => Math.round((RATE_PER_SECOND * durationMs) / 1000);
/** How long a load of `count` requests at the rate takes. */
const spanOf = (count: number) => (count * 1000) / RATE_PER_SECOND;

/**
 * `count` key request dialogs of REQUESTER, opened beforehand at a person's pace rather than
 * timed (the views-open scenario times them): the ids of those that show their form.
 */
async function openDialogs(
  bot: BotProcess,
  slack: SlackStandIn,
  count: number,
  used: ReadonlySet<string>,
): Promise<string[]> {
  await runOpenLoop({
    ratePerSecond: DIALOGS_PER_SECOND,
    durationMs: (count * 1000) / DIALOGS_PER_SECOND,
    // Built as it is sent: a trigger lives 3 s.
    send: async () => {
      const { body } = await preparedCommand(slack, REQUESTER, 'key request');
      await bot.driver.sendSigned(body);
    },
  });
  let viewIds: string[] = [];
  await until(
    'every dialog shows its form',
    () => {
      viewIds = keyRequestDialogs(slack, REQUESTER, used);
      return viewIds.length >= count;
    },
    DIALOG_TIMEOUT_MS,
    200,
  ).catch(() => undefined);
  return viewIds.slice(0, count);
}

async function pendingWithCards(
  store: RequestStore,
  known: ReadonlySet<string>,
  count: number,
): Promise<AccessRequest[]> {
  let filed: AccessRequest[] = [];
  await until(
    `${count} filed requests with their cards`,
    async () => {
      filed = (await store.open()).filter(
        (request) => !known.has(request.id) && request.card !== undefined,
      );
      return filed.length >= count;
    },
    SETTLE_TIMEOUT_MS,
    500,
  );
  return filed;
}

interface BotPhases {
  runs: Record<Load, LoadRun>;
  whoami: WhoamiFigures;
  /** Dialogs opened for the submissions that never showed their form. */
  dialogsNotShown: number;
  viewCalls: string;
  filed: number;
  endStates: Record<string, number>;
  logLines: number;
}

/** Dialogs, then their submissions, then the clicks on what they filed: one phase each. */
async function botPhases(
  bot: BotProcess,
  slack: SlackStandIn,
  deployment: TestDeployment,
  progress: (message: string) => void,
): Promise<BotPhases> {
  const store = new RequestStore(deployment.clients.documents, deployment.tables.bot);
  const help = (await preparedCommand(slack, REQUESTER, 'help')).body;
  const used = new Set<string>();
  const phase = async (durationMs: number, timed: boolean) => {
    const known = new Set((await store.open()).map((request) => request.id));
    const helpRun = await measured(bot.pid, async () => ({
      ack: await load(bot.driver, () => help, 'help', durationMs),
    }));
    const whoamiRun = await measured(bot.pid, () => whoamiLoad(bot.driver, slack, durationMs));
    progress(`${timed ? '' : 'warm-up: '}opening ${perPhase(durationMs)} key request dialogs`);
    const viewIds = await openDialogs(bot, slack, perPhase(durationMs), used);
    for (const viewId of viewIds) used.add(viewId);
    const submissions = await keySubmissionBodies(slack, REQUESTER, viewIds, 'bench');
    const submissionRun = await measured(bot.pid, async () => ({
      ack: await load(bot.driver, oneEach(submissions), 'submission', spanOf(submissions.length)),
    }));
    progress(`${timed ? '' : 'warm-up: '}waiting for the ${submissions.length} requests' cards`);
    const accepted = submissionRun.run.result.latency.count;
    const filed = await pendingWithCards(store, known, accepted);
    const clicks = await clickBodies(slack, cardsOf(slack, filed));
    const clickRun = await measured(bot.pid, async () => ({
      ack: await load(bot.driver, oneEach(clicks), 'Approve click', spanOf(clicks.length)),
    }));
    progress(`${timed ? '' : 'warm-up: '}waiting for the approved requests to finish`);
    const ids = new Set(filed.map((request) => request.id));
    // A click the bot refused leaves its request pending: wait for those the clicks set going.
    await until(
      'the approved requests end',
      async () =>
        !(await store.open()).some(
          (request) => ids.has(request.id) && request.status !== 'pending',
        ),
      SETTLE_TIMEOUT_MS,
      500,
    ).catch(() => undefined);
    const endStates: Record<string, number> = {};
    for (const request of filed) {
      const status = (await store.get(request.id))?.status ?? 'missing';
      endStates[status] = (endStates[status] ?? 0) + 1;
    }
    return {
      runs: {
        help: helpRun.run,
        whoami: whoamiRun.run,
        submission: submissionRun.run,
        click: clickRun.run,
      },
      whoami: whoamiRun.value,
      dialogsNotShown: perPhase(durationMs) - viewIds.length,
      viewCalls: viewCalls(slack),
      filed: filed.length,
      endStates,
    };
  };
  progress(`warm-up: every load for ${WARM_UP_MS / 1000} s`);
  await phase(WARM_UP_MS, false);
  const linesBefore = bot.log.lines;
  progress(`every load for ${LOAD_MS / 1000} s: help, whoami, key request, submit, Approve`);
  const timed = await phase(LOAD_MS, true);
  return { ...timed, logLines: bot.log.lines - linesBefore };
}

/** The bare Bolt app answers the same bodies: its ack is all it does. */
async function barePhases(
  bare: ServerProcess,
  slack: SlackStandIn,
): Promise<Record<Load, LoadRun>> {
  const help = (await preparedCommand(slack, REQUESTER, 'help')).body;
  const runs = {} as Record<Load, LoadRun>;
  for (const durationMs of [WARM_UP_MS, LOAD_MS]) {
    for (const name of LOADS) {
      // The bare app needs no real dialog or card: what it is sent only has to be the same size.
      const body =
        name === 'submission' || name === 'click'
          ? `payload=${encodeURIComponent(JSON.stringify({ type: name === 'click' ? 'block_actions' : 'view_submission', actions: [{ action_id: 'approve', block_id: 'b', type: 'button' }], view: { callback_id: 'bench', state: { values: {} } }, user: { id: REQUESTER }, team: { id: slack.teamId } }))}`
          : help;
      runs[name] = (
        await measured(bare.pid, async () => ({
          ack: await load(bare.driver, () => body, `bare ${name}`, durationMs),
        }))
      ).run;
    }
  }
  return runs;
}

function latencyCells(stats: LatencyStats): string[] {
  return [fixed(stats.p50), fixed(stats.p95), fixed(stats.p99), fixed(stats.max)];
}

function cpuPerRequest(run: LoadRun): number {
  return run.cpu === undefined ? Number.NaN : run.cpu.serverProcessMs / run.result.sent;
}

function lines(figures: Figures): string[] {
  const ackRows = LOADS.flatMap((name) => [
    [`${LABELS[name]} → bot`, ...loadCells(figures.bot[name])],
    [`${LABELS[name]} → bare Bolt`, ...loadCells(figures.bare[name])],
  ]);
  const cpuRows = LOADS.map((name) => {
    const bot = figures.bot[name];
    const bare = figures.bare[name];
    return [
      LABELS[name],
      fixed(cpuPerRequest(bot), 2),
      fixed(cpuPerRequest(bare), 2),
      fixed(cpuPerRequest(bot) / cpuPerRequest(bare), 1),
      bot.cpu === undefined ? '-' : fixed(bot.cpu.emulatorsMs / bot.result.sent, 2),
      bot.cpu === undefined ? '-' : fixed(bot.cpu.benchProcessMs / bot.result.sent, 2),
      percent(bot.cpu?.othersShare),
    ];
  });
  const reply = figures.whoamiReply;
  return [
    `Signed requests over loopback, open loop at ${figures.ratePerSecond} req/s for ${figures.durationMs / 1000} s each after ${figures.warmUpMs / 1000} s warm-up; the bot (node dist/app.js) and the bare Bolt app each a process of its own (ms)`,
    ...table(
      ['request → server', 'sent', 'errors', 'p50', 'p95', 'p99', 'max', 'send lag p99'],
      ackRows,
    ),
    `  /vams whoami → its reply at the response_url: p50 ${fixed(reply.latency.p50)} ms, p99 ${fixed(reply.latency.p99)} ms, ${reply.errors} errors`,
    `  the ${figures.filed} requests filed by the submissions, once approved: ${Object.entries(
      figures.endStates,
    )
      .map(([status, count]) => `${count} ${status}`)
      .join(', ')}; bot log lines meanwhile: ${figures.botLogLines}`,
    ...[
      ...LOADS.flatMap((name) => [
        ...figures.bot[name].result.errorSamples,
        ...figures.bare[name].result.errorSamples,
      ]),
      ...reply.errorSamples,
    ].map((sample) => `  error: ${sample}`),
    ...busyMachineLines(
      LOADS.flatMap((name) => [
        [`${LABELS[name]} → bot`, figures.bot[name].cpu] as const,
        [`${LABELS[name]} → bare Bolt`, figures.bare[name].cpu] as const,
      ]),
    ),
    '',
    'CPU per request (ms), the server process only, beside the bare Bolt app in the same run; the work a click sets off (the key, its DM) counts to the click',
    ...table(
      [
        'request',
        'bot',
        'bare Bolt',
        'bot ÷ bare',
        'emulators',
        'bench process',
        'other, of all CPUs',
      ],
      cpuRows,
    ),
  ];
}

function loadCells(run: LoadRun): string[] {
  const { result } = run;
  return [
    String(result.sent),
    String(result.errors),
    ...latencyCells(result.latency),
    fixed(result.sendLag.p99),
  ];
}

function checks(figures: Figures): BudgetCheck[] {
  return [
    ...LOADS.flatMap((name) => {
      const bot = figures.bot[name].result;
      const bare = figures.bare[name].result;
      const ratio = bot.latency.p99 / bare.latency.p99;
      return [
        check(`ack p99, ${LABELS[name]}`, bot.latency.p99, BUDGETS.ackP99Ms, 'ms'),
        check(`ack p99 ÷ bare Bolt p99, ${LABELS[name]}`, ratio, BUDGETS.ackVsBare, '×'),
        check(`ack errors, ${LABELS[name]}`, bot.errors, 0, ''),
      ];
    }),
    check('bot CPU per /vams whoami', cpuPerRequest(figures.bot.whoami), BUDGETS.whoamiCpuMs, 'ms'),
    check('whoami replies missing or refused', figures.whoamiReply.errors, 0, ''),
    check('key request dialogs that did not open', figures.dialogsNotShown, 0, '', {
      note: `Slack's answers to views calls: ${figures.viewCalls}`,
    }),
    check(
      'filed requests not succeeded after approval',
      figures.filed - (figures.endStates.succeeded ?? 0),
      0,
      '',
    ),
  ];
}

export const scenario: Scenario<Figures> = {
  name: 'ack',
  summary: 'acks of help, whoami, a dialog submission and an Approve click, beside bare Bolt',
  needsBuild: true,
  needsServices: true,
  run: async ({ services, progress }) => {
    const {
      result: phases,
      stopped: botStopped,
      bot,
    } = await withStandIn(async (slack, deployment) => {
      await deployment.addVamsUser(REQUESTER_EMAIL, ['admin']);
      await deployment.addVamsUser(APPROVER_EMAIL, ['admin']);
      slack.addUser({ id: REQUESTER, name: 'bench', email: REQUESTER_EMAIL, emailConfirmed: true });
      slack.addUser({
        id: APPROVER,
        name: 'approver',
        email: APPROVER_EMAIL,
        emailConfirmed: true,
      });
      progress('starting node dist/app.js');
      return withBotProcess(services, deployment, slack, (started) =>
        botPhases(started, slack, deployment, progress),
      );
    });
    const { linesWithSecrets } = bot.log;
    progress('the bare Bolt app: the same loads');
    const bareSlack = await SlackStandIn.start();
    let bare: Record<Load, LoadRun>;
    let bareStopped: Stopped;
    try {
      const server = await startBareBoltProcess(bareSlack);
      try {
        bare = await barePhases(server, bareSlack);
      } finally {
        bareStopped = await server.stop();
      }
    } finally {
      await bareSlack.stop();
    }
    const { whoami } = phases;
    const figures: Figures = {
      ratePerSecond: RATE_PER_SECOND,
      durationMs: LOAD_MS,
      warmUpMs: WARM_UP_MS,
      bot: phases.runs,
      bare,
      whoamiReply: {
        errors: whoami.replyErrors.length,
        errorSamples: [...new Set(whoami.replyErrors)].slice(0, 3),
        latency: latencyStats(whoami.replyMs),
      },
      dialogsNotShown: phases.dialogsNotShown,
      viewCalls: phases.viewCalls,
      filed: phases.filed,
      endStates: phases.endStates,
      botLogLines: phases.logLines,
      servers: {
        bot: { ...botStopped, logLinesWithSecrets: linesWithSecrets },
        bare: bareStopped,
      },
    };
    return { figures, lines: lines(figures), checks: checks(figures) };
  },
};
