import { cpuBetween, cpuSnapshot } from '../cpu-usage';
import type { UserListFigures } from '../figures';
import { check, fixed, type Scenario, table } from '../harness';
import { preparedCommand, withBotProcess, withStandIn } from '../servers';
import { latencyStats } from '../stats';
import {
  firstPageProblem,
  SEED_CONCURRENCY,
  SEEDED_PREFIX,
  SEEDED_USERS,
  seedUserPool,
  timeDirectListUsers,
  timeUserList,
} from '../user-list';

// `/vams user list` on a pool of 10,000 Cognito users, one request at a time (a person paging,
// not a load): the first page at the response_url, beside ListUsers sent straight from the SDK.

const WARM_UP_RUNS = 3;
const RUNS = 30;
const PREFIX = `${SEEDED_PREFIX}09`;
const REPLY_TIMEOUT_MS = 10_000;
const BUDGET_MS = 300;
const ADMIN = 'U0BENCH';
const ADMIN_EMAIL = 'bench@example.com';

function lines(figures: UserListFigures): string[] {
  const { seeding, firstPage, prefix, directListUsers, cpu } = figures;
  const runs = firstPage.latency.count + firstPage.errors;
  const seconds = seeding.ms / 1000;
  const cells = (stats: { p50: number; p95: number; p99: number; max: number }) => [
    fixed(stats.p50),
    fixed(stats.p95),
    fixed(stats.p99),
    fixed(stats.max),
  ];
  return [
    `A pool of ${figures.poolUsers.toLocaleString('en-US')} Cognito users (moto), seeded in ${fixed(seconds)} s (${seeding.concurrency} in flight); ${runs} sequential runs after ${figures.warmUpRuns} warm-up (ms)`,
    ...table(
      ['request → what is timed', 'runs', 'errors', 'p50', 'p95', 'p99', 'max'],
      [
        [
          '/vams user list → first page at the response_url',
          String(runs),
          String(firstPage.errors),
          ...cells(firstPage.latency),
        ],
        [
          `/vams user list ${prefix.prefix} → first page`,
          '1',
          prefix.error === undefined ? '0' : '1',
          ...cells({ p50: prefix.ms, p95: prefix.ms, p99: prefix.ms, max: prefix.ms }),
        ],
        [
          'ListUsers, 60 users, SDK → moto directly',
          String(directListUsers.count),
          '0',
          ...cells(directListUsers),
        ],
      ],
    ),
    `  everything but ListUsers (Slack, signing, identity, DynamoDB, the bot), median: ${fixed(firstPage.latency.p50 - directListUsers.p50)} ms`,
    ...(cpu === undefined
      ? []
      : [
          `  CPU per run: bot ${fixed(cpu.serverProcessMs / runs)} ms, emulators ${fixed(cpu.emulatorsMs / runs)} ms, bench process ${fixed(cpu.benchProcessMs / runs)} ms`,
        ]),
    ...[...firstPage.errorSamples, ...(prefix.error === undefined ? [] : [prefix.error])].map(
      (sample) => `  error: ${sample}`,
    ),
  ];
}

export const scenario: Scenario<UserListFigures> = {
  name: 'user-list',
  summary: `/vams user list, first page, on a ${SEEDED_USERS.toLocaleString('en-US')}-user pool`,
  needsBuild: true,
  needsServices: true,
  run: async ({ services, progress }) => {
    const figures: UserListFigures = await withStandIn(async (slack, deployment) => {
      await deployment.addVamsUser(ADMIN_EMAIL, ['admin']);
      slack.addUser({ id: ADMIN, name: 'bench', email: ADMIN_EMAIL, emailConfirmed: true });
      progress(`seeding ${SEEDED_USERS} Cognito users, ${SEED_CONCURRENCY} in flight`);
      const seeding = await seedUserPool(deployment, SEEDED_USERS, SEED_CONCURRENCY, progress);
      const run = await withBotProcess(services, deployment, slack, async (bot) => {
        const listFirstPage = async (prefix?: string): Promise<number> => {
          const command = await preparedCommand(
            slack,
            ADMIN,
            prefix === undefined ? 'user list' : `user list ${prefix}`,
          );
          const reply = await timeUserList(bot.driver, slack, command, REPLY_TIMEOUT_MS);
          const problem = firstPageProblem(reply, prefix);
          if (problem !== undefined) throw new Error(problem);
          return reply.ms;
        };
        progress(`${WARM_UP_RUNS} warm-up runs, then ${RUNS} timed`);
        for (let run = 0; run < WARM_UP_RUNS; run += 1) await listFirstPage();
        const firstPageMs: number[] = [];
        const errors: string[] = [];
        const cpuBefore = cpuSnapshot(bot.pid);
        for (let run = 0; run < RUNS; run += 1) {
          await listFirstPage().then(
            (ms) => firstPageMs.push(ms),
            (error: unknown) => errors.push(error instanceof Error ? error.message : String(error)),
          );
        }
        const cpuAfter = cpuSnapshot(bot.pid);
        const prefix = await listFirstPage(PREFIX).then(
          (ms) => ({ prefix: PREFIX, ms, error: undefined }),
          (error: unknown) => ({
            prefix: PREFIX,
            ms: Number.NaN,
            error: error instanceof Error ? error.message : String(error),
          }),
        );
        const { cognito } = deployment.clients;
        const direct = await timeDirectListUsers(cognito, deployment.userPoolId, RUNS);
        return {
          poolUsers: seeding.users + 1,
          seeding,
          warmUpRuns: WARM_UP_RUNS,
          firstPage: {
            errors: errors.length,
            errorSamples: [...new Set(errors)].slice(0, 3),
            latency: latencyStats(firstPageMs),
          },
          cpu: cpuBefore && cpuAfter ? cpuBetween(cpuBefore, cpuAfter) : undefined,
          prefix,
          directListUsers: latencyStats(direct),
        };
      });
      return run.result;
    });
    const pool = figures.poolUsers.toLocaleString('en-US');
    return {
      figures,
      lines: lines(figures),
      checks: [
        check(
          `user list first page, ${pool} users, median`,
          figures.firstPage.latency.p50,
          BUDGET_MS,
          'ms',
        ),
        check(
          `user list first page, ${pool} users, p99`,
          figures.firstPage.latency.p99,
          BUDGET_MS,
          'ms',
        ),
        check('user list errors', figures.firstPage.errors + (figures.prefix.error ? 1 : 0), 0, ''),
      ],
    };
  },
};
