// Baileys' login (creds + Signal keys) kept in the database through ChannelAuthRepository, so an instance survives
// restarts and can move between nodes. Values are Baileys' BufferJSON strings: Buffers round-trip byte-identical.
//
// Writes of one instance (keys, creds, wipe) run strictly in call order on a per-instance chain, and each resolves
// only once its transaction has committed: Baileys must never believe a consumed pre-key or a ratcheted session is
// stored when it is not ("waiting for this message"). Reads wait for the writes already queued.
import {
  BufferJSON,
  initAuthCreds,
  makeCacheableSignalKeyStore,
  proto,
  type AuthenticationCreds,
  type AuthenticationState,
  type SignalDataSet,
  type SignalDataTypeMap,
  type SignalKeyStore,
} from 'baileys';
import type { ChannelAuthRepository, KeyChange } from '../../ports/channel-state.js';
import type { Clock } from '../../ports/clock.js';

/** Baileys' logger interface (pino's Logger satisfies it); Baileys does not export it by name. */
export type BaileysLogger = NonNullable<Parameters<typeof makeCacheableSignalKeyStore>[1]>;

export interface DatabaseAuthState {
  /**
   * For `makeWASocket({ auth: state })`. `keys` is already wrapped in `makeCacheableSignalKeyStore`: reads are served
   * from a 5-minute cache, writes go through to the database (and resolve once committed).
   */
  state: AuthenticationState;
  /** Persists the whole creds object (Baileys mutates it in place); call on every `creds.update`. */
  saveCreds(): Promise<void>;
  /**
   * Deletes the stored creds and every key (logout, 401 from the phone) after the writes already queued. The
   * in-memory `state` is stale afterwards: build a new one with `databaseAuthState` to pair again.
   */
  wipe(): Promise<void>;
}

const serialize = (value: unknown): string => JSON.stringify(value, BufferJSON.replacer);
const revive = <T>(text: string): T => JSON.parse(text, BufferJSON.reviver) as T;

/** Per repository and instance: the tail of the write chain (never rejects). */
const chains = new WeakMap<ChannelAuthRepository, Map<string, Promise<void>>>();

function instanceChains(repo: ChannelAuthRepository): Map<string, Promise<void>> {
  let map = chains.get(repo);
  if (map === undefined) chains.set(repo, (map = new Map()));
  return map;
}

/** Runs `write` after every write queued before it for this instance; resolves or rejects with `write` itself. */
function enqueue(repo: ChannelAuthRepository, instanceId: string, write: () => Promise<void>): Promise<void> {
  const map = instanceChains(repo);
  const run = (map.get(instanceId) ?? Promise.resolve()).then(write);
  const tail = run.catch(() => undefined);
  map.set(instanceId, tail);
  void tail.then(() => {
    if (map.get(instanceId) === tail) map.delete(instanceId);
  });
  return run;
}

/** Resolves once the writes queued so far for this instance have finished. */
const queuedWrites = (repo: ChannelAuthRepository, instanceId: string): Promise<void> =>
  instanceChains(repo).get(instanceId) ?? Promise.resolve();

export async function databaseAuthState(
  instanceId: string,
  repo: ChannelAuthRepository,
  logger: BaileysLogger,
  clock: Clock,
): Promise<DatabaseAuthState> {
  await queuedWrites(repo, instanceId);
  const stored = await repo.loadCreds(instanceId);
  const creds: AuthenticationCreds = stored === undefined ? initAuthCreds() : revive<AuthenticationCreds>(stored);

  const write = (what: string, work: () => Promise<void>): Promise<void> =>
    enqueue(repo, instanceId, async () => {
      try {
        await work();
      } catch (err) {
        logger.error({ instance: instanceId, err }, `storing the WhatsApp login failed (${what})`);
        throw err;
      }
    });

  const keys: SignalKeyStore = {
    async get<T extends keyof SignalDataTypeMap>(type: T, ids: string[]) {
      await queuedWrites(repo, instanceId);
      const found = await repo.getKeys(instanceId, type, ids);
      const result: { [id: string]: SignalDataTypeMap[T] } = {};
      for (const [id, text] of found) {
        const value = revive<unknown>(text);
        // Baileys expects the protobuf message here, not the plain object JSON gives back.
        result[id] = (type === 'app-state-sync-key'
          ? proto.Message.AppStateSyncKeyData.fromObject(value as Record<string, unknown>)
          : value) as SignalDataTypeMap[T];
      }
      return result;
    },
    set(data: SignalDataSet) {
      const changes: KeyChange[] = [];
      // Every category Baileys hands over is stored (v7 needs lid-mapping, device-list and tctoken to persist).
      for (const [type, entries] of Object.entries(data)) {
        for (const [id, value] of Object.entries(entries ?? {})) {
          changes.push({ type, id, value: value === null || value === undefined ? null : serialize(value) });
        }
      }
      const at = clock.now();
      return write('keys', () => repo.setKeys(instanceId, changes, at));
    },
    // Baileys never calls clear(); a store without keys (or without creds) is no login, so it wipes both.
    clear: () => write('wipe', () => repo.wipe(instanceId)),
  };

  const cached = makeCacheableSignalKeyStore(keys, logger);
  return {
    state: { creds, keys: cached },
    saveCreds() {
      // Serialized now, so each call stores the creds as they were when it was made.
      const text = serialize(creds);
      const at = clock.now();
      return write('creds', () => repo.saveCreds(instanceId, text, at));
    },
    // Drops the read cache too, then the rows (after the writes queued before).
    wipe: async () => {
      await cached.clear?.();
    },
  };
}

/** Instances whose stored creds belong to a linked device (`me` is set): they reconnect at boot without a QR. */
export async function instancesWithStoredLogin(repo: ChannelAuthRepository): Promise<string[]> {
  const linked: string[] = [];
  for (const instanceId of await repo.instancesWithCreds()) {
    const text = await repo.loadCreds(instanceId);
    if (text !== undefined && revive<Partial<AuthenticationCreds>>(text).me?.id) linked.push(instanceId);
  }
  return linked;
}
