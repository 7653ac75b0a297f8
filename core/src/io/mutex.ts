/** One holder at a time per key, in arrival order (in-process). */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  async lock(key: string): Promise<() => void> {
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const previous = this.tails.get(key) ?? Promise.resolve();
    const tail = previous.then(() => mine);
    this.tails.set(key, tail);
    await previous;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    };
  }
}
