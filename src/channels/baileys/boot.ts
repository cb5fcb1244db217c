// Boot resume without a stampede: instances with stored credentials reconnect at most `limit` at a time. A slot is
// held until the instance's socket settles (open, a QR, or closed) or a time limit passes, then the next one starts.
export class ConcurrencyGate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running += 1;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      // The slot passes straight to the next waiter; only when none waits is it given back.
      if (next !== undefined) next();
      else this.running -= 1;
    }
  }

  get active(): number {
    return this.running;
  }

  get queued(): number {
    return this.waiting.length;
  }
}

/** Whether stored creds (Baileys' BufferJSON text) belong to a linked device: `me` is set once paired. */
export function isLinkedLogin(credsText: string | undefined): boolean {
  if (credsText === undefined) return false;
  try {
    const creds = JSON.parse(credsText) as { me?: { id?: unknown } };
    return typeof creds.me?.id === 'string' && creds.me.id !== '';
  } catch {
    return false;
  }
}
