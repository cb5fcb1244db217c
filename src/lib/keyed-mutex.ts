// One holder at a time per key (e.g. per contact), others wait in arrival order. Keys with no holder cost nothing.
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  /** Whether someone holds or waits for `key`. */
  busy(key: string): boolean {
    return this.tails.has(key);
  }

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => mine);
    this.tails.set(key, tail);
    await previous;
    try {
      return await work();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
