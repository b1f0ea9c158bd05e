import type { WebClient } from '@slack/web-api';
import type { Identity } from '../../src/auth/identity';
import { type HomeSources, HomeTabs } from '../../src/commands/home.commands';
import type { AccessRequest } from '../../src/domain/request';
import type { AppLogger } from '../../src/logging';

const vic: Identity = {
  mapped: true,
  slackUserId: 'U0VIC',
  vamsUserId: 'vic',
  source: 'email-is-user-id',
  email: 'vic@example.com',
  roles: ['viewer'],
};

/** Home sources whose reads of the open requests wait until the test lets each one go. */
function slowSources() {
  const waiting: Array<() => void> = [];
  const events: string[] = [];
  const sources: HomeSources = {
    identify: async () => vic,
    open: () =>
      new Promise<AccessRequest[]>((resolve) => {
        events.push('read');
        waiting.push(() => resolve([]));
      }),
    askedBy: async () => [],
    refusalFor: () => undefined,
    mayApprove: () => false,
    holdingsOf: async () => [],
    keysOf: async () => [],
  };
  return { sources, waiting, events };
}

function publisher(events: string[]) {
  const published: string[] = [];
  const client = {
    views: {
      publish: async (args: { view: unknown }) => {
        events.push('publish');
        published.push(JSON.stringify(args.view));
        return { ok: true };
      },
    },
  } as unknown as WebClient;
  return { client, published };
}

const logger = { warn: () => undefined } as unknown as AppLogger;

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

describe('HomeTabs', () => {
  it('draws one Home at a time per person, so the newest state and its notice are shown last', async () => {
    const { sources, waiting, events } = slowSources();
    const { client, published } = publisher(events);
    const homes = new HomeTabs(sources, { client, logger, clock: () => new Date(), refreshMs: 0 });

    // A redraw for a change starts reading; the answer to the person's click comes meanwhile.
    const redraw = homes.show('U0VIC', 'T1');
    await until(() => waiting.length === 1);
    const answer = homes.show('U0VIC', 'T1', 'You cancelled R1.');
    await new Promise((resolve) => setTimeout(resolve, 20));
    // The answer does not read until the redraw before it has published.
    expect(events).toEqual(['read']);

    waiting[0]?.();
    await until(() => waiting.length === 2);
    waiting[1]?.();
    await Promise.all([redraw, answer]);

    expect(events).toEqual(['read', 'publish', 'read', 'publish']);
    expect(published).toHaveLength(2);
    expect(published[1]).toContain('You cancelled R1.');
  });

  it('draws again after a drawing that failed', async () => {
    const { sources, waiting, events } = slowSources();
    const { client, published } = publisher(events);
    let fail = true;
    const failingClient = {
      views: {
        publish: async (args: { view: unknown }) => {
          if (fail) {
            fail = false;
            throw new Error('views.publish failed');
          }
          return client.views.publish(args as never);
        },
      },
    } as unknown as WebClient;
    const homes = new HomeTabs(sources, {
      client: failingClient,
      logger,
      clock: () => new Date(),
      refreshMs: 0,
    });
    const first = homes.show('U0VIC', 'T1');
    await until(() => waiting.length === 1);
    const second = homes.show('U0VIC', 'T1', 'You rejected R2.');
    waiting[0]?.();
    await expect(first).rejects.toThrow('views.publish failed');
    await until(() => waiting.length === 2);
    waiting[1]?.();
    await second;
    expect(published).toHaveLength(1);
    expect(published[0]).toContain('You rejected R2.');
  });
});
