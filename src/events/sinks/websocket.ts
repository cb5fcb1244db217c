// WebSocket transport: a socket.io server on Parley's own HTTP server (compat §5.3). Per-instance endpoints emit on
// the namespace `/<instanceName>`, global endpoints (WEBSOCKET_GLOBAL_EVENTS) on the root namespace `/`; the event
// name is the wire name (`messages.upsert`) and the argument is the envelope.
//
// Unlike Evolution, where any instance token opens every namespace, a key opens only what it is entitled to: the
// global key opens every namespace, an instance token only that instance's namespace.
import type { Server as HttpServer } from 'node:http';
import { Server, type Namespace, type Socket } from 'socket.io';
import type { DeliveryOutcome, Endpoint } from '../../domain/delivery.js';
import { INSTANCE_NAME_PATTERN } from '../../domain/instance.js';
import type { EventSink, OutgoingEvent, SinkContext, SinkFactory } from '../../ports/event-sink.js';

/** Same shape as `EventsConfig['websocket']` (src/config/events-env.ts). */
export interface WebsocketSettings {
  /** WEBSOCKET_ENABLED: the master switch; off → nothing is attached to the HTTP server. */
  enabled: boolean;
  /** WEBSOCKET_GLOBAL_EVENTS: a global endpoint exists and the root namespace receives every event. */
  globalEvents: boolean;
  /** WEBSOCKET_ALLOWED_HOSTS: peer addresses accepted without a key (empty by default in Parley). */
  allowedHosts: string[];
}

const UNAUTHORIZED = 'Unauthorized';
const SOCKET_PATH = '/socket.io';
/** The listeners engine.io / socket.io add to (or rewrap on) the HTTP server; close() restores them. */
const SERVER_EVENTS = ['request', 'upgrade', 'close', 'listening'] as const;
type Listener = (...args: unknown[]) => void;

/** Decodes a namespace to an instance name, or null if it is not a valid one. socket.io-client percent-encodes
 * non-ASCII paths (`/caf%C3%A9`), other clients may send them raw, so both spellings are accepted. */
function instanceOfNamespace(namespace: string): string | null {
  let name: string;
  try {
    name = decodeURIComponent(namespace.slice(1));
  } catch {
    return null;
  }
  return INSTANCE_NAME_PATTERN.test(name) ? name : null;
}

function first(value: unknown): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** The key from the socket.io v4 auth payload, the `apikey` query parameter (Evolution) or the `apikey` header. */
function apikeyOf(socket: Socket): string | undefined {
  const auth = socket.handshake.auth as Record<string, unknown> | undefined;
  return first(auth?.apikey) ?? first(socket.handshake.query.apikey) ?? first(socket.handshake.headers.apikey);
}

class WebsocketSink implements EventSink {
  readonly transport = 'websocket' as const;
  private io: Server | null = null;
  private readonly allowedHosts: Set<string>;
  /** The HTTP server's listeners before attaching, and those the attach added (to restore / remove in close). */
  private readonly before = new Map<string, Listener[]>();
  private readonly added = new Map<string, Listener[]>();

  constructor(private readonly ctx: SinkContext, private readonly settings: WebsocketSettings) {
    this.allowedHosts = new Set(settings.allowedHosts.map((h) => h.trim()).filter((h) => h !== ''));
    if (settings.enabled) this.attach(ctx.httpServer);
  }

  private attach(server: HttpServer): void {
    for (const name of SERVER_EVENTS) this.before.set(name, server.listeners(name) as Listener[]);
    // CORS open, as Evolution's socket.io server (`origin: '*'`); access is decided by the key, not the origin.
    const io = new Server(server, { path: SOCKET_PATH, cors: { origin: '*' } });
    io.use((socket, next) => void this.authorize(socket, null, next));
    const parent = io.of((namespace, _auth, next) => next(null, instanceOfNamespace(namespace) !== null));
    parent.use((socket, next) => {
      const instanceName = instanceOfNamespace(socket.nsp.name);
      if (instanceName === null) return next(new Error(UNAUTHORIZED));
      void this.authorize(socket, instanceName, (err) => {
        next(err);
        // Also after success: the peer may have hung up during the check, and then never joins.
        setImmediate(() => this.dropIfEmpty(io, parent, socket.nsp));
      });
    });
    parent.on('connection', (socket: Socket) => socket.once('disconnect', () => setImmediate(() => this.dropIfEmpty(io, parent, socket.nsp))));
    for (const name of SERVER_EVENTS) {
      const before = this.before.get(name)!;
      this.added.set(name, (server.listeners(name) as Listener[]).filter((l) => !before.includes(l)));
    }
    this.io = io;
  }

  /**
   * A child namespace is created before its middleware runs, so without this any peer could grow memory with
   * keyless handshakes on made-up names. socket.io's own `cleanupEmptyChildNamespaces` ignores handshakes still in
   * their middleware, whose sockets would then join an orphan namespace and silently miss every event; this checks
   * them (private fields of the pinned socket.io 4.8; run from setImmediate, after `_add`'s await has registered them).
   */
  private dropIfEmpty(io: Server, parent: unknown, nsp: Namespace): void {
    const pending = (nsp as unknown as { _preConnectSockets: Map<string, unknown> })._preConnectSockets;
    if (nsp.sockets.size > 0 || pending.size > 0 || io._nsps.get(nsp.name) !== nsp) return;
    io._nsps.delete(nsp.name);
    (parent as { children: Set<Namespace> }).children.delete(nsp);
    void nsp.adapter.close();
  }

  /** The namespaces currently open (for tests and diagnostics). */
  openNamespaces(): string[] {
    return this.io === null ? [] : [...this.io._nsps.keys()];
  }

  private async authorize(socket: Socket, instanceName: string | null, next: (err?: Error) => void): Promise<void> {
    const address = socket.handshake.address;
    // Node reports IPv4 peers of a dual-stack listener as `::ffff:a.b.c.d`; `127.0.0.1` in the list covers both.
    const unmapped = address.startsWith('::ffff:') ? address.slice(7) : address;
    if (this.allowedHosts.has(address) || this.allowedHosts.has(unmapped)) return next();
    let allowed = false;
    try {
      allowed = await this.ctx.authorizeSocket(apikeyOf(socket), instanceName);
    } catch (error) {
      this.ctx.logger.error({ err: error, namespace: socket.nsp.name }, 'websocket authorization failed');
    }
    if (allowed) return next();
    // Never log the key itself.
    this.ctx.logger.warn({ namespace: socket.nsp.name, address }, 'websocket connection refused');
    next(new Error(UNAUTHORIZED));
  }

  async deliver(endpoint: Endpoint, event: OutgoingEvent): Promise<DeliveryOutcome> {
    if (this.io === null) {
      if (!this.settings.enabled) return { ok: false, retryable: false, error: 'WEBSOCKET_ENABLED is false' };
      return { ok: false, retryable: true, error: 'websocket server closed' };
    }
    let namespaces: string[];
    if (endpoint.instanceId === null) namespaces = ['/'];
    else if (event.instanceName === null) return { ok: false, retryable: false, error: 'event has no instance name' };
    else namespaces = [...new Set([`/${event.instanceName}`, `/${encodeURIComponent(event.instanceName)}`])];
    try {
      // The same JSON every other transport sends (socket.io would turn a Buffer into a binary attachment).
      const payload = JSON.parse(event.body) as unknown;
      // A namespace exists once a client has opened it; none → nobody is listening. `io.of(name)` would create it.
      for (const name of namespaces) this.io._nsps.get(name)?.emit(event.wireName, payload);
      // socket.io has no broker and no ack from a broadcast: delivered = written to the sockets connected now.
      // At-least-once does not extend to sockets that are not connected; they do not get the event later.
      return { ok: true };
    } catch (error) {
      return { ok: false, retryable: false, error: error instanceof Error ? error.message : String(error) };
    }
  }

  /** Disconnects every socket and detaches from the HTTP server, which keeps serving (`io.close()` would close it). */
  async close(): Promise<void> {
    const io = this.io;
    if (io === null) return;
    this.io = null;
    // Close the engine connections, discarding transports: clients see a transport close and reconnect when Parley
    // is back (an 'io server disconnect' would stop them for good). `nsp.disconnectSockets()` first instead leaves
    // engine.io's 30 s polling close timer behind, which holds the process open on shutdown.
    io.engine.close();
    await Promise.allSettled([...io._nsps.values()].map(async (nsp) => nsp.adapter.close()));
    const server = this.ctx.httpServer;
    for (const name of SERVER_EVENTS) {
      for (const listener of this.added.get(name) ?? []) server.removeListener(name, listener);
      // engine.io removed the original `request` listeners and wrapped them: put back the missing ones, in order.
      const present = server.listeners(name);
      for (const listener of [...(this.before.get(name) ?? [])].reverse()) if (!present.includes(listener)) server.prependListener(name, listener);
    }
  }
}

export function websocketSink(settings: WebsocketSettings): SinkFactory {
  return { transport: 'websocket', create: (ctx) => new WebsocketSink(ctx, settings) };
}
