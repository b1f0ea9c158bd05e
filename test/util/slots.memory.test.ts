import { Slots } from '../../src/util/slots';

/** A task that runs until the test lets it end, noting when it starts. */
function gate(started: string[], name: string, fail = false) {
  let finish: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  return {
    task: async () => {
      started.push(name);
      await done;
      if (fail) throw new Error(`${name} failed`);
      return name;
    },
    finish: () => finish(),
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('Slots', () => {
  it('runs at most its size at once; the rest start in the order they came, as slots free up', async () => {
    const slots = new Slots(2);
    const started: string[] = [];
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((name) => gate(started, name));
    if (!a || !b || !c || !d) throw new Error('gates');
    const results = [a, b, c, d].map((g) => slots.run(g.task));
    await settle();
    expect(started).toEqual(['a', 'b']);
    expect(slots.queued).toBe(2);
    b.finish();
    await settle();
    expect(started).toEqual(['a', 'b', 'c']);
    a.finish();
    c.finish();
    await settle();
    expect(started).toEqual(['a', 'b', 'c', 'd']);
    d.finish();
    expect(await Promise.all(results)).toEqual(['a', 'b', 'c', 'd']);
    expect(slots.queued).toBe(0);
  });

  it('frees the slot of a task that failed, and passes its failure on', async () => {
    const slots = new Slots(1);
    const started: string[] = [];
    const failing = gate(started, 'fails', true);
    const next = gate(started, 'next');
    const first = slots.run(failing.task);
    const second = slots.run(next.task);
    failing.finish();
    await expect(first).rejects.toThrow('fails failed');
    await settle();
    expect(started).toEqual(['fails', 'next']);
    next.finish();
    expect(await second).toBe('next');
  });

  it('refuses a size that is not a count', () => {
    expect(() => new Slots(0)).toThrow('not a count');
    expect(() => new Slots(1.5)).toThrow('not a count');
  });
});
