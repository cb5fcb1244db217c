// Baileys' event emitter contract and the raw websocket, for the fake socket (fake-baileys-socket.ts): events are
// typed with Baileys' own `BaileysEventMap`, so a Baileys upgrade that changes one the channel uses breaks the build.
import { EventEmitter } from 'node:events';
import type { BaileysEventEmitter, BaileysEventMap, BinaryNode } from 'baileys';

type ProcessHandler = (events: Partial<BaileysEventMap>) => void | Promise<void>;

/** Baileys' event emitter contract over a node EventEmitter; `process` handlers get each event as Baileys delivers them. */
export class FakeEventEmitter implements BaileysEventEmitter {
  private readonly emitter = new EventEmitter();
  private readonly processors = new Set<ProcessHandler>();
  /** Every event emitted, in order (for assertions). */
  readonly emitted: { event: keyof BaileysEventMap; data: unknown }[] = [];

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  on<T extends keyof BaileysEventMap>(event: T, listener: (arg: BaileysEventMap[T]) => void): void {
    this.emitter.on(event, listener);
  }

  off<T extends keyof BaileysEventMap>(event: T, listener: (arg: BaileysEventMap[T]) => void): void {
    this.emitter.off(event, listener);
  }

  removeAllListeners<T extends keyof BaileysEventMap>(event: T): void {
    this.emitter.removeAllListeners(event);
  }

  emit<T extends keyof BaileysEventMap>(event: T, arg: BaileysEventMap[T]): boolean {
    this.emitted.push({ event, data: arg });
    const heard = this.emitter.emit(event, arg);
    for (const handler of this.processors) void handler({ [event]: arg } as Partial<BaileysEventMap>);
    return heard || this.processors.size > 0;
  }

  process(handler: ProcessHandler): () => void {
    this.processors.add(handler);
    return () => void this.processors.delete(handler);
  }

  // Baileys buffers some events while it processes the offline backlog; the fake delivers everything at once.
  buffer(): void {}
  flush(): boolean {
    return false;
  }
  isBuffering(): boolean {
    return false;
  }
  createBufferedFunction<A extends any[], T>(work: (...args: A) => Promise<T>): (...args: A) => Promise<T> {
    return work;
  }
  destroy(): void {
    this.processors.clear();
  }

  listenerCount(event: keyof BaileysEventMap): number {
    return this.emitter.listenerCount(event);
  }
}

/** The raw websocket: tests push `frame`s through it (what the watchdog listens to). */
export class FakeWebSocket extends EventEmitter {
  open = true;
  get isOpen(): boolean {
    return this.open;
  }
  receiveFrame(node: BinaryNode = { tag: 'ib', attrs: {} }): void {
    this.emit('frame', node);
  }
}
