import { Writable } from 'node:stream';
import { WebClient } from '@slack/web-api';
import type { AccessRequest } from '../../src/domain/request';
import { createLogger } from '../../src/logging';
import { DirectMessages, SlackRequestNotifier } from '../../src/slack/slack-notifier';
import type { StepState } from '../../src/workflow/steps';
import { eventually } from '../support/eventually';
import { pendingOnboarding } from '../support/memory-workflow';
import { textIn } from '../support/onboarding-flow';
import { type RecordedCall, SlackStandIn } from '../support/slack-standin';
import { APPROVAL_CHANNEL } from '../support/test-bot';

const quiet = new Writable({ write: (_chunk, _encoding, done) => done() });

/** `count` steps, the first `done` of them done and, with `failed`, the next one failed. */
function stepsOf(count: number, done: number, failed = false): StepState[] {
  return Array.from({ length: count }, (_, index) => ({
    label: `Step ${index + 1}`,
    state:
      index < done
        ? 'done'
        : failed && index === done
          ? 'failed'
          : index === done
            ? 'running'
            : 'waiting',
  }));
}

describe("a request's checklist in its thread", () => {
  let slack: SlackStandIn;
  let notifier: SlackRequestNotifier;
  let request: AccessRequest;

  beforeAll(async () => {
    slack = await SlackStandIn.start();
    const client = new WebClient('xoxb-local-standin', { slackApiUrl: slack.apiUrl });
    notifier = new SlackRequestNotifier(
      client,
      APPROVAL_CHANNEL,
      new DirectMessages(client),
      createLogger('error', quiet),
    );
  });
  afterAll(() => slack.stop());

  let serial = 0;
  beforeEach(async () => {
    serial += 1;
    const pending = pendingOnboarding({ id: `RPROGRESS${serial}` });
    request = { ...pending, status: 'executing', card: await notifier.postCard(pending) };
  });

  const updates = (): RecordedCall[] =>
    slack
      .callsTo('chat.update')
      .filter((call) => String(call.args.text) === `${request.id} progress`);
  const gaps = (calls: readonly RecordedCall[]) =>
    calls.slice(1).map((call, index) => call.at - (calls[index]?.at ?? 0));

  it('is posted, shows its first change at once, then changes at most once a second and ends as the request did', async () => {
    // Enough steps for the checklist to fold the finished ones into a count.
    const count = 120;
    const started = Date.now();
    for (let done = 0; done <= count; done += 1) {
      await notifier.progress(request, stepsOf(count, done));
      await new Promise((resolve) => setTimeout(resolve, 15));
    }
    // The final state comes once its second is out.
    const shown = await eventually(() => {
      const all = updates();
      expect(textIn(all.at(-1)?.args.blocks)).toContain(`${count} of ${count} steps done`);
      return all;
    });
    expect(shown[0]?.at).toBeLessThan(started + 500);
    for (const gap of gaps(shown)) expect(gap).toBeGreaterThanOrEqual(1000);
    // About two seconds of steps: a handful of changes, not one for each.
    expect(shown.length).toBeGreaterThanOrEqual(2);
    expect(shown.length).toBeLessThanOrEqual(4);
    const final = textIn(shown.at(-1)?.args.blocks);
    expect(final).toContain(`:white_check_mark: ${count} of ${count} steps done`);
    expect(final).not.toContain(':white_circle:');
  }, 15_000);

  it('waits out the second for the final state rather than skip it, without holding up the run', async () => {
    await notifier.progress(request, stepsOf(3, 0));
    await notifier.progress(request, stepsOf(3, 1));
    await notifier.progress(request, stepsOf(3, 2));
    const before = Date.now();
    await notifier.progress(request, stepsOf(3, 3));
    // The run goes on at once; the checklist changes when its second is out.
    expect(Date.now() - before).toBeLessThan(500);
    expect(updates()).toHaveLength(1);
    const shown = await eventually(() => {
      const all = updates();
      expect(all).toHaveLength(2);
      return all;
    });
    expect(gaps(shown)[0]).toBeGreaterThanOrEqual(1000);
    expect(textIn(shown[1]?.args.blocks)).toContain(':white_check_mark: Step 3');
  });

  it('waits out the second for a failure too', async () => {
    await notifier.progress(request, stepsOf(3, 0));
    await notifier.progress(request, stepsOf(3, 1));
    await notifier.progress(request, stepsOf(3, 1, true));
    const shown = await eventually(() => {
      const all = updates();
      expect(all).toHaveLength(2);
      return all;
    });
    expect(gaps(shown)[0]).toBeGreaterThanOrEqual(1000);
    expect(textIn(shown[1]?.args.blocks)).toContain(':x: Step 2');
  });

  it('sends a held-back state at once when the process settles', async () => {
    await notifier.progress(request, stepsOf(3, 0));
    await notifier.progress(request, stepsOf(3, 1));
    await notifier.progress(request, stepsOf(3, 3));
    expect(updates()).toHaveLength(1);
    await notifier.settle();
    const shown = updates();
    expect(shown).toHaveLength(2);
    expect(textIn(shown[1]?.args.blocks)).toContain(':white_check_mark: Step 3');
  });
});
