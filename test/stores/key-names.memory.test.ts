import { KeyNames } from '../../src/stores/key-names';

/** A table's names whose reads the test counts, and can hold until it lets them finish. */
function table(initial: string[]) {
  const names = new Set(initial);
  let reads = 0;
  let held: Array<() => void> | undefined;
  return {
    names,
    reads: () => reads,
    hold: () => {
      held = [];
    },
    release: () => {
      const waiting = held ?? [];
      held = undefined;
      for (const go of waiting) go();
    },
    readAll: async () => {
      reads += 1;
      const snapshot = [...names];
      if (held) await new Promise<void>((resolve) => held?.push(resolve));
      return snapshot;
    },
  };
}

describe('KeyNames', () => {
  it('answers from one read while it is fresh, and waits for a new read once it is stale', async () => {
    const keys = table(['ci']);
    let now = 0;
    const memory = new KeyNames(keys.readAll, 1_000, 10_000, () => now);
    expect(await memory.taken('ci')).toBe(true);
    keys.names.add('made-elsewhere');
    expect(await memory.taken('made-elsewhere')).toBe(false);
    expect(keys.reads()).toBe(1);
    now = 10_000;
    expect(await memory.taken('made-elsewhere')).toBe(true);
    expect(keys.reads()).toBe(2);
  });

  it('past fresh, answers at once from what it has while a new read runs beside', async () => {
    const keys = table([]);
    let now = 0;
    const memory = new KeyNames(keys.readAll, 1_000, 10_000, () => now);
    await memory.taken('x');
    keys.names.add('late');
    now = 1_500;
    keys.hold();
    expect(await memory.taken('late')).toBe(false);
    expect(keys.reads()).toBe(2);
    keys.release();
    await new Promise((resolve) => setImmediate(resolve));
    expect(await memory.taken('late')).toBe(true);
    expect(keys.reads()).toBe(2);
  });

  it('counts the bot’s own writes and removals at once, also across a read begun before them', async () => {
    const keys = table(['old']);
    let now = 0;
    const memory = new KeyNames(keys.readAll, 1_000, 10_000, () => now);
    await memory.taken('x');
    keys.names.add('new');
    memory.wrote('new');
    keys.names.delete('old');
    memory.removed('old');
    expect(await memory.taken('new')).toBe(true);
    expect(await memory.taken('old')).toBe(false);

    // A read that began before the writes saw neither; they still count when it ends.
    now = 20_000;
    keys.hold();
    const answer = memory.taken('new');
    now = 20_001;
    keys.names.add('during');
    memory.wrote('during');
    keys.release();
    expect(await answer).toBe(true);
    expect(await memory.taken('during')).toBe(true);
    expect(await memory.taken('old')).toBe(false);
  });

  it('shares one read among callers, and reads every time with 0', async () => {
    const keys = table(['a']);
    const memory = new KeyNames(keys.readAll, 0, 0);
    keys.hold();
    const answers = Promise.all([memory.taken('a'), memory.taken('b')]);
    keys.release();
    expect(await answers).toEqual([true, false]);
    expect(keys.reads()).toBe(1);
    await memory.taken('a');
    expect(keys.reads()).toBe(2);
  });

  it('keeps what it has when a read beside fails, and tells of it', async () => {
    let failing = false;
    const failures: unknown[] = [];
    let now = 0;
    const memory = new KeyNames(
      async () => {
        if (failing) throw new Error('DynamoDB is down');
        return ['ci'];
      },
      1_000,
      10_000,
      () => now,
      (error) => failures.push(error),
    );
    await memory.taken('ci');
    failing = true;
    now = 2_000;
    expect(await memory.taken('ci')).toBe(true);
    await new Promise((resolve) => setImmediate(resolve));
    expect(failures).toHaveLength(1);
    now = 20_000;
    await expect(memory.taken('ci')).rejects.toThrow('DynamoDB is down');
  });
});
