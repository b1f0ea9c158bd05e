import {
  type CognitoIdentityProviderClient,
  ListUsersCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { USER_LIST_PAGE_SIZE } from '../src/domain/cognito-user';
import type { SlackDriver } from '../test/support/slack-driver';
import type { SlackStandIn } from '../test/support/slack-standin';
import type { TestDeployment } from '../test/support/vams-deployment';

// The budget: the first page of `user list` on a 10,000-user pool in ≤ 300 ms, timed from
// the signed command leaving the bench to the list reaching the stand-in's response_url.

export const SEEDED_USERS = 10_000;
// moto gives each request a thread, but Python's GIL runs one at a time: a few dozen in flight
// keep it busy while the SDK signs the next ones, without opening thousands of sockets.
export const SEED_CONCURRENCY = 32;
const SEED_PROGRESS_EVERY = 1000;
export const SEEDED_PREFIX = 'bench-user-';

/** bench-user-00001 … bench-user-10000: sorted the way they were created. */
export function seededUsername(index: number): string {
  return `${SEEDED_PREFIX}${String(index).padStart(5, '0')}`;
}

export interface SeedingFigures {
  users: number;
  concurrency: number;
  ms: number;
}

/**
 * AdminCreateUser (MessageAction SUPPRESS, an email attribute) for `count` users into the
 * deployment's pool, at most `concurrency` in flight.
 */
export async function seedUserPool(
  deployment: Pick<TestDeployment, 'addCognitoUser'>,
  count: number,
  concurrency: number,
  onProgress: (message: string) => void,
): Promise<SeedingFigures> {
  const started = performance.now();
  let next = 1;
  let created = 0;
  const worker = async (): Promise<void> => {
    while (next <= count) {
      const username = seededUsername(next);
      next += 1;
      await deployment.addCognitoUser(username, `${username}@example.com`);
      created += 1;
      if (created % SEED_PROGRESS_EVERY === 0) {
        const seconds = (performance.now() - started) / 1000;
        onProgress(`seeded ${created} of ${count} Cognito users in ${seconds.toFixed(1)} s`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return { users: count, concurrency, ms: performance.now() - started };
}

export interface TimedReply {
  ms: number;
  /** The User IDs the list shows, in its order. */
  usernames: string[];
  hasNextPage: boolean;
}

// Each listed user is one line that starts with its User ID in backticks.
const LISTED_USERNAME = /^`([^`]+)` · /gm;

function listedUsernames(blocks: unknown): string[] {
  const texts: string[] = [];
  for (const block of Array.isArray(blocks) ? blocks : []) {
    const text: unknown =
      typeof block === 'object' && block !== null && 'text' in block ? block.text : undefined;
    if (typeof text === 'object' && text !== null && 'text' in text) {
      if (typeof text.text === 'string') texts.push(text.text);
    }
  }
  return texts.flatMap((text) =>
    [...text.matchAll(LISTED_USERNAME)].map((match) => match[1] ?? ''),
  );
}

/** A signed `/vams user list …` request's body, and the response_url it carries. */
export interface UserListCommand {
  body: string;
  responseUrl: string;
}

/**
 * `/vams user list …`, answered through its response_url: milliseconds from before the signed
 * request is sent to the moment the stand-in records the reply, and what the reply lists.
 */
export async function timeUserList(
  driver: SlackDriver,
  slack: SlackStandIn,
  { body, responseUrl }: UserListCommand,
  timeoutMs: number,
): Promise<TimedReply> {
  // Waiting from before the send: a reply recorded early is still timed from its request.
  const reply = slack.waitForCall(
    'response_url',
    (call) => call.args.url === responseUrl,
    timeoutMs,
  );
  const sentAt = performance.now();
  const [ack, call] = await Promise.all([
    driver.sendSigned(body),
    reply.then((recorded) => ({ recorded, ms: performance.now() - sentAt })),
  ]);
  if (ack.status !== 200) throw new Error(`user list answered HTTP ${ack.status}`);
  // An ack with a body is a refusal or a usage error, not the list.
  if (ack.text !== '') throw new Error(`user list acked with ${ack.text.slice(0, 160)}`);
  const { recorded, ms } = call;
  if (!recorded.ok) throw new Error(`the stand-in refused the reply: ${recorded.error}`);
  const usernames = listedUsernames(recorded.args.blocks);
  if (usernames.length === 0) {
    throw new Error(
      `the reply lists no users: ${JSON.stringify(recorded.args.text).slice(0, 160)}`,
    );
  }
  const hasNextPage = JSON.stringify(recorded.args.blocks).includes('"Next page"');
  return { ms, usernames, hasNextPage };
}

/** Why a reply is not the full first page it should be, or undefined. */
export function firstPageProblem(
  reply: TimedReply,
  prefix: string | undefined,
): string | undefined {
  if (reply.usernames.length !== USER_LIST_PAGE_SIZE)
    return `the first page lists ${reply.usernames.length} users, not ${USER_LIST_PAGE_SIZE}`;
  if (!reply.hasNextPage) return 'the first page has no Next page button';
  const stray =
    prefix === undefined ? undefined : reply.usernames.find((name) => !name.startsWith(prefix));
  return stray === undefined ? undefined : `the page for ${prefix} lists ${stray}`;
}

/**
 * ListUsers for one page (Limit 60, no filter), straight from the SDK to the pool the bot lists:
 * what the bot's first page costs in Cognito alone, without Slack, DynamoDB or the bot.
 */
export async function timeDirectListUsers(
  cognito: CognitoIdentityProviderClient,
  userPoolId: string,
  runs: number,
): Promise<number[]> {
  const times: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const started = performance.now();
    const page = await cognito.send(
      new ListUsersCommand({ UserPoolId: userPoolId, Limit: USER_LIST_PAGE_SIZE }),
    );
    times.push(performance.now() - started);
    if (page.Users?.length !== USER_LIST_PAGE_SIZE) {
      throw new Error(
        `ListUsers returned ${page.Users?.length ?? 0} users, not ${USER_LIST_PAGE_SIZE}`,
      );
    }
  }
  return times;
}
