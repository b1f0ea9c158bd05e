import { residentMb } from '../child-process';
import { check, fixed, type Scenario, table } from '../harness';
import { runOpenLoop } from '../open-loop';
import { preparedCommand, withBotProcess, withStandIn } from '../servers';

// The bot's resident memory over 10,000 mixed requests from 100 people at 100/s: commands that
// answer (help, whoami, requests, key list), commands that open a dialog (key request) and App
// Home openings. Read from /proc every second; the trend is the slope of a straight line through
// the readings of the second half, when caches are full and the heap has found its size.

const PEOPLE = 100;
const ADMINS = 10;
const REQUESTS = 10_000;
const RATE_PER_SECOND = 100;
const SAMPLE_MS = 1000;
const BUDGET_RSS_MB = 150;
// "Flat": at most this much growth per 1,000 requests in the second half.
const BUDGET_SLOPE_MB = 1;

type Ask = 'help' | 'whoami' | 'requests' | 'key list' | 'key request' | 'home';
const MIX: readonly Ask[] = ['help', 'whoami', 'requests', 'key list', 'key request', 'home'];

interface Sample {
  atMs: number;
  requests: number;
  rssMb: number;
}

interface Figures {
  requests: number;
  people: number;
  ratePerSecond: number;
  errors: number;
  errorSamples: string[];
  idleRssMb: number;
  peakRssMb: number;
  endRssMb: number;
  /** MB per 1,000 requests over the second half. */
  secondHalfSlopeMb: number;
  firstHalfSlopeMb: number;
  samples: Sample[];
}

const person = (index: number) => `U0M${String(index).padStart(3, '0')}`;

/** Least-squares slope of RSS against requests, per 1,000 requests. */
function slopePerThousand(samples: readonly Sample[]): number {
  const n = samples.length;
  if (n < 2) return Number.NaN;
  const meanX = samples.reduce((sum, s) => sum + s.requests, 0) / n;
  const meanY = samples.reduce((sum, s) => sum + s.rssMb, 0) / n;
  let numerator = 0;
  let denominator = 0;
  for (const sample of samples) {
    numerator += (sample.requests - meanX) * (sample.rssMb - meanY);
    denominator += (sample.requests - meanX) ** 2;
  }
  return denominator === 0 ? Number.NaN : (numerator / denominator) * 1000;
}

export const scenario: Scenario<Figures> = {
  name: 'memory',
  summary: `bot RSS over ${REQUESTS.toLocaleString('en-US')} mixed requests from ${PEOPLE} people, with its trend`,
  needsBuild: true,
  needsServices: true,
  run: async ({ services, progress }) => {
    const figures: Figures = await withStandIn(async (slack, deployment) => {
      await deployment.addRole('viewer');
      progress(`adding ${PEOPLE} VAMS users`);
      for (let index = 0; index < PEOPLE; index += 1) {
        const email = `member${index}@example.com`;
        await deployment.addVamsUser(email, [index < ADMINS ? 'admin' : 'viewer']);
        slack.addUser({ id: person(index), name: `member${index}`, email, emailConfirmed: true });
      }
      const run = await withBotProcess(services, deployment, slack, async (bot) => {
        const idleRssMb = residentMb(bot.pid) ?? Number.NaN;
        const samples: Sample[] = [];
        let sent = 0;
        const started = performance.now();
        const sampler = setInterval(() => {
          const rssMb = residentMb(bot.pid);
          if (rssMb !== undefined) {
            samples.push({ atMs: performance.now() - started, requests: sent, rssMb });
          }
        }, SAMPLE_MS);
        progress(`${REQUESTS} requests at ${RATE_PER_SECOND}/s`);
        const result = await runOpenLoop({
          ratePerSecond: RATE_PER_SECOND,
          durationMs: (REQUESTS / RATE_PER_SECOND) * 1000,
          send: async (index) => {
            sent = index + 1;
            const who = person(index % PEOPLE);
            const ask = MIX[index % MIX.length] ?? 'help';
            if (ask === 'home') {
              const { status } = await bot.driver.openHome(who);
              if (status !== 200) throw new Error(`app_home_opened answered HTTP ${status}`);
              return;
            }
            const { body } = await preparedCommand(slack, who, ask);
            const answer = await bot.driver.sendSigned(body);
            if (answer.status !== 200)
              throw new Error(`/vams ${ask} answered HTTP ${answer.status}`);
          },
        });
        clearInterval(sampler);
        // What the stand-in keeps of every call is the bench's memory, not the bot's.
        slack.clear();
        const endRssMb = residentMb(bot.pid) ?? Number.NaN;
        const half = samples.filter((sample) => sample.requests > REQUESTS / 2);
        const firstHalf = samples.filter((sample) => sample.requests <= REQUESTS / 2);
        return {
          requests: result.sent,
          people: PEOPLE,
          ratePerSecond: RATE_PER_SECOND,
          errors: result.errors,
          errorSamples: result.errorSamples,
          idleRssMb,
          peakRssMb: Math.max(endRssMb, ...samples.map((sample) => sample.rssMb)),
          endRssMb,
          secondHalfSlopeMb: slopePerThousand(half),
          firstHalfSlopeMb: slopePerThousand(firstHalf),
          samples,
        };
      });
      return run.result;
    });
    const tenths = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((tenth) => {
      const upTo = (REQUESTS * tenth) / 10;
      return figures.samples.filter((sample) => sample.requests <= upTo).at(-1);
    });
    return {
      figures,
      lines: [
        `${figures.requests.toLocaleString('en-US')} requests at ${RATE_PER_SECOND}/s from ${PEOPLE} people, cycling through ${MIX.join(', ')}; the bot's RSS (MB) read every ${SAMPLE_MS / 1000} s, no forced GC`,
        ...table(
          ['after requests', ...tenths.map((sample) => String(sample?.requests ?? '-'))],
          [['RSS (MB)', ...tenths.map((sample) => fixed(sample?.rssMb, 0))]],
        ),
        `  idle before the load ${fixed(figures.idleRssMb)} MB; peak ${fixed(figures.peakRssMb)} MB; at the end ${fixed(figures.endRssMb)} MB`,
        `  trend: ${fixed(figures.firstHalfSlopeMb, 2)} MB per 1,000 requests in the first half, ${fixed(figures.secondHalfSlopeMb, 2)} in the second; errors ${figures.errors}`,
        ...figures.errorSamples.map((sample) => `  error: ${sample}`),
      ],
      checks: [
        check('bot RSS after 10,000 requests', figures.endRssMb, BUDGET_RSS_MB, 'MB'),
        check('bot RSS, peak', figures.peakRssMb, BUDGET_RSS_MB, 'MB'),
        check(
          'bot RSS trend, second half, per 1,000 requests',
          figures.secondHalfSlopeMb,
          BUDGET_SLOPE_MB,
          'MB',
        ),
        check('errors over the 10,000 requests', figures.errors, 0, ''),
      ],
    };
  },
};
