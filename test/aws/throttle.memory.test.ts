import { CallPace, type PaceClock } from '../../src/aws/throttle';

/** A clock that moves only when someone waits; `lateMs` more on each wake-up, as timers run late. */
function fakeClock(lateMs = 0): PaceClock & { at: number } {
  const clock = {
    at: 0,
    now: () => clock.at,
    wait: async (ms: number) => {
      clock.at += ms + lateMs;
    },
  };
  return clock;
}

/** When each of `count` callers, all asking at once, got its turn. */
async function turnsOf(pace: CallPace, clock: PaceClock, count: number): Promise<number[]> {
  const times: number[] = [];
  await Promise.all(
    Array.from({ length: count }, () => pace.turn().then(() => times.push(clock.now()))),
  );
  return times;
}

function mostWithinOneSecond(times: readonly number[]): number {
  return Math.max(...times.map((from) => times.filter((t) => t >= from && t < from + 1000).length));
}

describe('CallPace', () => {
  it('lets callers go one after another, 1/perSecond apart, the first at once', async () => {
    const clock = fakeClock();
    const times = await turnsOf(new CallPace(25, clock), clock, 5);
    expect(times).toEqual([0, 40, 80, 120, 160]);
  });

  it('saves up no burst while idle', async () => {
    const clock = fakeClock();
    const pace = new CallPace(25, clock);
    await pace.turn();
    clock.at = 5_000;
    expect(await turnsOf(pace, clock, 3)).toEqual([5_000, 5_040, 5_080]);
  });

  it('counts from when the last caller really went: a late wake-up is not made up', async () => {
    const clock = fakeClock(15);
    const times = await turnsOf(new CallPace(25, clock), clock, 4);
    expect(times).toEqual([0, 55, 110, 165]);
  });

  it('never lets more than perSecond go within any one second, however many wait', async () => {
    const clock = fakeClock();
    const times = await turnsOf(new CallPace(25, clock), clock, 200);
    expect(times).toHaveLength(200);
    expect(mostWithinOneSecond(times)).toBe(25);
  });

  it('is shared: callers that ask later wait behind those already waiting', async () => {
    const clock = fakeClock();
    const pace = new CallPace(10, clock);
    const order: string[] = [];
    await Promise.all([
      pace.turn().then(() => order.push(`first at ${clock.now()}`)),
      pace.turn().then(() => order.push(`second at ${clock.now()}`)),
      Promise.resolve().then(() => pace.turn().then(() => order.push(`third at ${clock.now()}`))),
    ]);
    expect(order).toEqual(['first at 0', 'second at 100', 'third at 200']);
  });

  it('refuses a pace of no calls at all', () => {
    expect(() => new CallPace(0)).toThrow(RangeError);
  });
});
