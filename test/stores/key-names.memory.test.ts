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
    const keys = table(['old', 'gone']);
    let now = 0;
    const memory = new KeyNames(keys.readAll, 1_000, 10_000, () => now);
    await memory.taken('x');
    keys.names.add('new');
    memory.wrote('new');
    keys.names.delete('old');
    memory.removed('old');
    expect(await memory.taken('new')).toBe(true);
    expect(await memory.taken('old')).toBe(false);

    // A read begins (it sees 'gone' and not 'during'); then the bot removes one and writes the
    // other. When the read ends, both still count as the bot left them.
    now = 20_000;
    keys.hold();
    const answer = memory.taken('new');
    now = 20_001;
    keys.names.delete('gone');
    memory.removed('gone');
    keys.names.add('during');
    memory.wrote('during');
    keys.release();
    expect(await answer).toBe(true);
    expect(await memory.taken('during')).toBe(true);
    expect(await memory.taken('gone')).toBe(false);
  });

  it('counts what it was told before its first read, and what it was told counts only until a read has seen the table since', async () => {
    const keys = table([]);
    let now = 0;
    const memory = new KeyNames(keys.readAll, 1_000, 10_000, () => now);
    // Told before its first read: the first read itself sees the key.
    keys.names.add('early');
    memory.wrote('early');
    expect(await memory.taken('early')).toBe(true);
    // A key the bot wrote and someone then deleted elsewhere: once a stale memory's time has
    // passed, a read (awaited, as the memory is stale by then) says the name is free again.
    keys.names.add('short-lived');
    memory.wrote('short-lived');
    keys.names.delete('short-lived');
    now = 10_001;
    expect(await memory.taken('short-lived')).toBe(false);
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
