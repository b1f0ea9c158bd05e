/**
 * The names in VAMS's API keys table, which has no index on them: read whole, by one Scan, at
 * most once in `freshMs`, so that a dialog can tell at once whether a name is taken. The bot's own
 * writes and removals count at once; a key someone creates elsewhere counts from the next read,
 * and the run that creates a key checks its name against the table itself.
 */
export class KeyNames {
  private names: Set<string> | undefined;
  private readAt = Number.NEGATIVE_INFINITY;
  private reading: Promise<void> | undefined;
  /** What the bot itself did to a name since the read began that the memory stems from. */
  private readonly changes = new Map<string, { taken: boolean; at: number }>();

  /**
   * `freshMs`: memory younger than this answers alone; older, it answers while a new read runs
   * beside it; older than `staleMs`, or never read, the answer waits for a read. 0: read every time.
   */
  constructor(
    private readonly readAll: () => Promise<string[]>,
    private readonly freshMs: number,
    private readonly staleMs: number,
    private readonly now: () => number = Date.now,
    private readonly onReadFailed: (error: unknown) => void = () => undefined,
  ) {}

  async taken(name: string): Promise<boolean> {
    const age = this.now() - this.readAt;
    if (!this.names || this.freshMs <= 0 || age >= this.staleMs) await this.read();
    else if (age >= this.freshMs) this.read().catch(this.onReadFailed);
    const change = this.changes.get(name);
    if (change) return change.taken;
    return this.names?.has(name) ?? false;
  }

  /** The bot wrote a key with this name. */
  wrote(name: string): void {
    this.change(name, true);
  }

  /** The bot removed the key with this name. */
  removed(name: string): void {
    this.change(name, false);
  }

  private change(name: string, taken: boolean): void {
    // Without names read or being read there is nothing to correct: the first read sees it.
    if (!this.names && !this.reading) return;
    const at = this.now();
    this.changes.set(name, { taken, at });
    // Any read since has seen what is older than a stale memory; a process that writes keys but
    // answers no dialog (so never reads again) does not keep them for ever.
    for (const [other, change] of this.changes) {
      if (at - change.at > this.staleMs) this.changes.delete(other);
    }
  }

  /** One read at a time; callers meanwhile share it. */
  private read(): Promise<void> {
    if (!this.reading) {
      const startedAt = this.now();
      this.reading = this.readAll()
        .then((names) => {
          this.names = new Set(names);
          this.readAt = startedAt;
          // What was done before this read began, the read has seen.
          for (const [name, change] of this.changes) {
            if (change.at < startedAt) this.changes.delete(name);
          }
        })
        .finally(() => {
          this.reading = undefined;
        });
    }
    return this.reading;
  }
}
