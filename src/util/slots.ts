/**
 * At most `size` tasks at once; the rest wait their turn, first come first served. Small enough
 * not to need a dependency: a counter and a queue of who waits.
 */
export class Slots {
  private busy = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`slots: ${size} is not a count`);
  }

  /** Runs `task` once a slot is free, and frees it when the task ends, however it ends. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.busy >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.busy += 1;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      // The slot passes straight to the next in line, so nobody can slip in between.
      if (next) next();
      else this.busy -= 1;
    }
  }

  /** Whether a task given now would start at once. */
  get free(): boolean {
    return this.busy < this.size;
  }

  /** Tasks waiting for a slot. */
  get queued(): number {
    return this.waiting.length;
  }
}
