import type { SlackStandIn } from '../../test/support/slack-standin';
import { check, fixed, type Scenario, table } from '../harness';
import { runOpenLoop } from '../open-loop';
import {
  type BotProcess,
  keyRequestDialogs,
  keySubmissionBodies,
  preparedCommand,
  until,
  withBotProcess,
  withStandIn,
} from '../servers';
import { type LatencyStats, latencyStats } from '../stats';

// `/vams key request` opens its dialog with views.open: how long from the command leaving the
// person's client to views.open reaching Slack, while other people file requests (each posts a
// card and a DM). Once as things are, once with every chat.postMessage answered 429 for the
// whole run: the dialogs must not wait behind the throttled posts.

const DIALOGS_PER_SECOND = 50;
const SUBMISSIONS_PER_SECOND = 10;
const RUN_MS = 10_000;
const WARM_UP_MS = 2_000;
const OPEN_TIMEOUT_MS = 10_000;
const BUDGET_P99_MS = 150;
const OPENER = 'U0OPENER';
const FILER = 'U0FILER';

interface Run {
  views: LatencyStats;
  errors: number;
  errorSamples: string[];
  submissionsSent: number;
  postMessage: { ok: number; throttled: number };
}

interface Figures {
  dialogsPerSecond: number;
  submissionsPerSecond: number;
  durationMs: number;
  normal: Run;
  throttled: Run;
}

const triggerOf = (body: string) => new URLSearchParams(body).get('trigger_id') ?? '';

async function openDialogs(
  bot: BotProcess,
  slack: SlackStandIn,
  count: number,
  used: Set<string>,
): Promise<void> {
  await Promise.all(
    Array.from({ length: count }, async () => {
      const { body } = await preparedCommand(slack, FILER, 'key request');
      await bot.driver.sendSigned(body);
    }),
  );
  await until(
    `${count} dialogs to submit`,
    () => keyRequestDialogs(slack, FILER, used).length >= count,
    OPEN_TIMEOUT_MS,
  );
}

async function timedRun(
  bot: BotProcess,
  slack: SlackStandIn,
  durationMs: number,
  submitted: Set<string>,
): Promise<Run> {
  const submissions = Math.round((SUBMISSIONS_PER_SECOND * durationMs) / 1000);
  await openDialogs(bot, slack, submissions, submitted);
  const toSubmit = keyRequestDialogs(slack, FILER, submitted).slice(0, submissions);
  for (const viewId of toSubmit) submitted.add(viewId);
  const bodies = await keySubmissionBodies(slack, FILER, toSubmit, 'views');
  const postsBefore = slack.callsTo('chat.postMessage').length;
  // The filers, in the background: each submission files a request whose card and DM are posts.
  const filing = runOpenLoop({
    ratePerSecond: SUBMISSIONS_PER_SECOND,
    durationMs,
    send: async (index) => {
      const body = bodies[index];
      if (body === undefined) return;
      const answer = await bot.driver.sendSigned(body);
      if (answer.status !== 200) throw new Error(`submission answered HTTP ${answer.status}`);
    },
  });
  const opened: number[] = [];
  const dialogs = await runOpenLoop({
    ratePerSecond: DIALOGS_PER_SECOND,
    durationMs,
    send: async () => {
      const { body } = await preparedCommand(slack, OPENER, 'key request');
      const trigger = triggerOf(body);
      const open = slack.waitForCall(
        'views.open',
        (call) => call.args.trigger_id === trigger,
        OPEN_TIMEOUT_MS,
      );
      const sentAt = performance.now();
      const [answer, call] = await Promise.all([bot.driver.sendSigned(body), open]);
      if (answer.status !== 200) throw new Error(`key request answered HTTP ${answer.status}`);
      if (!call.ok) throw new Error(`views.open failed: ${call.error}`);
      opened.push(performance.now() - sentAt);
    },
  });
  const filed = await filing;
  const posts = slack.callsTo('chat.postMessage').slice(postsBefore);
  return {
    views: latencyStats(opened),
    errors: dialogs.errors,
    errorSamples: [...dialogs.errorSamples, ...filed.errorSamples],
    submissionsSent: filed.latency.count,
    postMessage: {
      ok: posts.filter((call) => call.ok).length,
      throttled: posts.filter((call) => !call.ok).length,
    },
  };
}

function runRow(name: string, run: Run): string[] {
  return [
    name,
    String(run.views.count + run.errors),
    String(run.errors),
    fixed(run.views.p50),
    fixed(run.views.p95),
    fixed(run.views.p99),
    fixed(run.views.max),
    String(run.submissionsSent),
    `${run.postMessage.ok} ok, ${run.postMessage.throttled} 429`,
  ];
}

export const scenario: Scenario<Figures> = {
  name: 'views-open',
  summary: 'views.open after /vams key request, with chat.postMessage answered and throttled',
  needsBuild: true,
  needsServices: true,
  run: async ({ services, progress }) => {
    const figures: Figures = await withStandIn(async (slack, deployment) => {
      for (const [id, email] of [
        [OPENER, 'opener@example.com'],
        [FILER, 'filer@example.com'],
      ] as const) {
        await deployment.addVamsUser(email, ['admin']);
        slack.addUser({ id, name: id.toLowerCase(), email, emailConfirmed: true });
      }
      const run = await withBotProcess(services, deployment, slack, async (bot) => {
        const submitted = new Set<string>();
        progress(`warm-up, ${WARM_UP_MS / 1000} s`);
        await timedRun(bot, slack, WARM_UP_MS, submitted);
        progress(
          `${DIALOGS_PER_SECOND} dialogs/s beside ${SUBMISSIONS_PER_SECOND} filings/s, ${RUN_MS / 1000} s`,
        );
        const normal = await timedRun(bot, slack, RUN_MS, submitted);
        progress('the same with every chat.postMessage answered 429');
        slack.throttle('chat.postMessage', Number.POSITIVE_INFINITY, 1);
        const throttled = await timedRun(bot, slack, RUN_MS, submitted);
        slack.throttle('chat.postMessage', 0);
        return {
          dialogsPerSecond: DIALOGS_PER_SECOND,
          submissionsPerSecond: SUBMISSIONS_PER_SECOND,
          durationMs: RUN_MS,
          normal,
          throttled,
        };
      });
      return run.result;
    });
    return {
      figures,
      lines: [
        `Signed /vams key request at ${DIALOGS_PER_SECOND}/s for ${RUN_MS / 1000} s → views.open recorded by the stand-in, while another person submits ${SUBMISSIONS_PER_SECOND} key requests/s (ms)`,
        ...table(
          [
            'chat.postMessage',
            'sent',
            'errors',
            'p50',
            'p95',
            'p99',
            'max',
            'filed meanwhile',
            'posts',
          ],
          [runRow('answered', figures.normal), runRow('429 for the whole run', figures.throttled)],
        ),
        ...[...figures.normal.errorSamples, ...figures.throttled.errorSamples].map(
          (sample) => `  error: ${sample}`,
        ),
      ],
      checks: [
        check('views.open p99 after the command', figures.normal.views.p99, BUDGET_P99_MS, 'ms'),
        check(
          'views.open p99, chat.postMessage throttled',
          figures.throttled.views.p99,
          BUDGET_P99_MS,
          'ms',
        ),
        check('dialogs that did not open', figures.normal.errors + figures.throttled.errors, 0, ''),
      ],
    };
  },
};
