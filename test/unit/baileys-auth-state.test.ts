// The WHATSAPP-BAILEYS login in the database (reference baileys.md §3): creds and Signal keys of every category
// round-trip byte-identical across a restart, null deletes, writes land in call order and are durable when they
// resolve, and the login goes with a wipe or with its instance. Runs on SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, afterEach, before, describe, it } from 'node:test';
import { BufferJSON, Curve, proto, type SignalDataSet, type SignalDataTypeMap } from 'baileys';
import pino from 'pino';
import { databaseAuthState, instancesWithStoredLogin } from '../../src/channels/baileys/auth-state.js';
import { loadConfig } from '../../src/config/load.js';
import type { Instance } from '../../src/domain/instance.js';
import type { ChannelAuthRepository, KeyChange } from '../../src/ports/channel-state.js';
import type { Clock } from '../../src/ports/clock.js';
import type { Store } from '../../src/ports/store.js';
import { openDatabase } from '../../src/storage/db.js';
import { createStore } from '../../src/storage/store.js';
import { databaseKinds, type TestDatabase } from '../helpers/databases.js';

const logger = pino({ level: 'silent' });
const clock: Clock = { now: () => new Date(1_763_700_000_000) };
const serialize = (value: unknown): string => JSON.stringify(value, BufferJSON.replacer);

/**
 * Uint8Arrays come back as Buffers (BufferJSON), and JSON has no `undefined` (initAuthCreds sets some fields to it):
 * compare bytes and defined values, not prototypes.
 */
function asBuffers(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value);
  if (Array.isArray(value)) return value.map(asBuffers);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, asBuffers(v)]));
  }
  return value;
}

function newInstance(name: string): Instance {
  const now = clock.now();
  return {
    id: randomUUID(), name, clientName: 'test', integration: 'WHATSAPP-BAILEYS', connectionStatus: 'close',
    ownerJid: null, profileName: null, profilePicUrl: null, number: null, businessId: null, token: randomUUID(),
    disconnectionReasonCode: null, disconnectionObject: null, disconnectionAt: null, createdAt: now, updatedAt: now,
  };
}

/** Ids as Baileys v7 writes them: devices after ':', sessions after '.', base64 with '/'. */
function everyCategory(): { [T in keyof SignalDataTypeMap]: { [id: string]: SignalDataTypeMap[T] } } {
  const preKey = Curve.generateKeyPair();
  return {
    'pre-key': { '1': preKey, '812': Curve.generateKeyPair() },
    session: { '5511999999999:3@s.whatsapp.net.0': new Uint8Array(randomBytes(180)), '123456789012345_1.7': randomBytes(96) },
    'sender-key': { '120363025246125486@g.us::5511999999999::0': new Uint8Array(randomBytes(140)) },
    'sender-key-memory': { '120363025246125486@g.us': { '5511999999999:3@s.whatsapp.net': true, '123456789012345:7@lid': false } },
    'app-state-sync-key': {
      'AAAAAFx/Qw==': proto.Message.AppStateSyncKeyData.fromObject({
        keyData: randomBytes(32),
        fingerprint: { rawId: 2_147_483_647, currentIndex: 4, deviceIndexes: [0, 1, 7] },
        timestamp: 1_763_700_000_123,
      }),
    },
    'app-state-sync-version': {
      regular_high: {
        version: 17,
        hash: randomBytes(128),
        indexValueMap: { 'k/+Rx0dQvA3mCjS2T1BFqRe4Zr8fVb8xE2QIEjD1uGA=': { valueMac: new Uint8Array(randomBytes(32)) } },
      },
    },
    'lid-mapping': { '5511999999999': '123456789012345', '123456789012345_reverse': '5511999999999' },
    'device-list': { '5511999999999': ['0', '3', '7'] },
    tctoken: { '5511999999999@s.whatsapp.net': { token: randomBytes(24), timestamp: '1763700000', senderTimestamp: 1_763_700_001 } },
    'identity-key': { '5511999999999:3@s.whatsapp.net.0': new Uint8Array(randomBytes(33)) },
  };
}

for (const kind of databaseKinds()) {
  describe(`Baileys auth state in the database [${kind.name}]`, () => {
    let database: TestDatabase;
    let store: Store;
    let seq = 0;

    const open = async () => createStore(await openDatabase(loadConfig({ DATABASE_URL: database.url, PARLEY_DATA_DIR: database.dataDir }).database));
    const restart = async () => {
      await store.close();
      store = await open();
    };
    const instance = async (): Promise<Instance> => {
      const created = newInstance(`auth-${++seq}`);
      assert.equal(await store.instances.insert(created, `hash-${created.id}`), true);
      return created;
    };

    before(async () => {
      database = await kind.create();
      store = await open();
    });
    afterEach(async () => {
      // Every test leaves the store open (a test that restarts reopens it).
      await store.ping();
    });
    after(async () => {
      await store.close();
      await database.drop();
    });

    it('creates creds for a new instance, saves them whole and reloads them after a restart', async () => {
      const { id } = await instance();
      const first = await databaseAuthState(id, store.channelAuth, logger, clock);
      assert.equal(await store.channelAuth.loadCreds(id), undefined, 'nothing is stored before saveCreds');
      assert.ok(Buffer.isBuffer(first.state.creds.noiseKey.public));
      assert.equal(first.state.creds.registered, false);

      // Baileys mutates creds in place on pairing; saveCreds stores the whole object as it is now.
      const creds = first.state.creds;
      creds.me = { id: '5511999999999:3@s.whatsapp.net', lid: '123456789012345:3@lid', name: 'Parley' };
      creds.account = { details: new Uint8Array(randomBytes(40)), accountSignatureKey: new Uint8Array(randomBytes(32)), accountSignature: randomBytes(64), deviceSignature: randomBytes(64) };
      creds.signalIdentities = [{ identifier: { name: '5511999999999:3@s.whatsapp.net', deviceId: 0 }, identifierKey: new Uint8Array(randomBytes(33)) }];
      creds.routingInfo = randomBytes(12);
      creds.registered = true;
      creds.nextPreKeyId = 813;
      await first.saveCreds();
      const saved = serialize(creds);
      assert.equal(await store.channelAuth.loadCreds(id), saved, 'durable once saveCreds resolves');

      await restart();
      const second = await databaseAuthState(id, store.channelAuth, logger, clock);
      assert.equal(serialize(second.state.creds), saved, 'byte-identical serialized creds');
      assert.deepStrictEqual(asBuffers(second.state.creds), asBuffers(creds));
      assert.ok(Buffer.isBuffer(second.state.creds.signedPreKey.signature));
      assert.ok(Buffer.isBuffer(second.state.creds.account?.details));
      assert.equal(second.state.creds.me?.lid, '123456789012345:3@lid');
    });

    it('a later saveCreds overwrites the earlier one; an instance without a row gets fresh creds', async () => {
      const { id } = await instance();
      const auth = await databaseAuthState(id, store.channelAuth, logger, clock);
      await auth.saveCreds();
      auth.state.creds.nextPreKeyId = 31;
      auth.state.creds.firstUnuploadedPreKeyId = 31;
      await auth.saveCreds();
      const reloaded = await databaseAuthState(id, store.channelAuth, logger, clock);
      assert.equal(reloaded.state.creds.nextPreKeyId, 31);
      assert.equal(serialize(reloaded.state.creds), serialize(auth.state.creds));

      const other = await instance();
      const fresh = await databaseAuthState(other.id, store.channelAuth, logger, clock);
      assert.notDeepEqual(fresh.state.creds.noiseKey.public, auth.state.creds.noiseKey.public);
    });

    it('stores keys of every category and reads them back byte-identical after a restart', async () => {
      const { id } = await instance();
      const written = everyCategory();
      const auth = await databaseAuthState(id, store.channelAuth, logger, clock);
      await auth.state.keys.set(written as SignalDataSet);

      // Durable on resolve: the rows are there without waiting for anything else.
      for (const [type, entries] of Object.entries(written)) {
        const rows = await store.channelAuth.getKeys(id, type, Object.keys(entries));
        assert.deepEqual([...rows.keys()].sort(), Object.keys(entries).sort(), type);
        for (const [keyId, value] of Object.entries(entries)) assert.equal(rows.get(keyId), serialize(value), `${type} ${keyId}`);
      }

      await restart();
      const reloaded = await databaseAuthState(id, store.channelAuth, logger, clock);
      for (const [type, entries] of Object.entries(written) as [keyof SignalDataTypeMap, Record<string, unknown>][]) {
        const read = await reloaded.state.keys.get(type, Object.keys(entries));
        assert.deepEqual(Object.keys(read).sort(), Object.keys(entries).sort(), type);
        for (const [keyId, value] of Object.entries(entries)) {
          assert.equal(serialize(read[keyId]), serialize(value), `${type} ${keyId} byte-identical`);
          if (type !== 'app-state-sync-key') assert.deepStrictEqual(asBuffers(read[keyId]), asBuffers(value), `${type} ${keyId}`);
        }
      }
      const [syncKeyId] = Object.keys(written['app-state-sync-key']);
      const syncKey = (await reloaded.state.keys.get('app-state-sync-key', [syncKeyId!]))[syncKeyId!];
      assert.ok(syncKey instanceof proto.Message.AppStateSyncKeyData, 'revived as the protobuf message');
      assert.ok(Buffer.compare(Buffer.from(syncKey.keyData!), Buffer.from(written['app-state-sync-key'][syncKeyId!]!.keyData!)) === 0);
      assert.equal(syncKey.fingerprint?.rawId, 2_147_483_647);
      const preKey = (await reloaded.state.keys.get('pre-key', ['1']))['1']!;
      assert.ok(Buffer.isBuffer(preKey.public) && Buffer.isBuffer(preKey.private));
    });

    it('null deletes, a retried identical set is harmless, missing ids are absent from get', async () => {
      const { id } = await instance();
      const auth = await databaseAuthState(id, store.channelAuth, logger, clock);
      const keys = { '1': Curve.generateKeyPair(), '2': Curve.generateKeyPair(), '3': Curve.generateKeyPair() };
      await auth.state.keys.set({ 'pre-key': keys });
      await auth.state.keys.set({ 'pre-key': keys });
      const session = new Uint8Array(randomBytes(64));
      const change: SignalDataSet = { 'pre-key': { '2': null, '404': null }, session: { '5511999999999.0': session } };
      await auth.state.keys.set(change);
      await auth.state.keys.set(change);

      const rows = await store.channelAuth.getKeys(id, 'pre-key', ['1', '2', '3', '404']);
      assert.deepEqual([...rows.keys()].sort(), ['1', '3']);
      await restart();
      const reloaded = await databaseAuthState(id, store.channelAuth, logger, clock);
      const read = await reloaded.state.keys.get('pre-key', ['1', '2', '3', 'never-stored']);
      assert.deepEqual(Object.keys(read).sort(), ['1', '3']);
      assert.equal('2' in read, false);
      assert.equal('never-stored' in read, false);
      assert.equal(serialize(read['3']), serialize(keys['3']));
      assert.equal(serialize((await reloaded.state.keys.get('session', ['5511999999999.0']))['5511999999999.0']), serialize(session));
      // Same id under another category is another key.
      assert.deepEqual(await reloaded.state.keys.get('session', ['1']), {});
    });

    it('applies writes of one instance in call order, one at a time, across two auth states of it (last write wins)', async () => {
      const { id } = await instance();
      // A repository that yields before each write and records overlap: without the per-instance chain, writes from
      // the two auth states (and saveCreds) would run concurrently and could commit out of order.
      let inFlight = 0;
      let maxInFlight = 0;
      const real = store.channelAuth;
      const yieldTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
      const observed = <A extends unknown[]>(write: (...args: A) => Promise<void>) => async (...args: A) => {
        maxInFlight = Math.max(maxInFlight, ++inFlight);
        try {
          await yieldTurn();
          await write(...args);
        } finally {
          inFlight--;
        }
      };
      const repo: ChannelAuthRepository = {
        loadCreds: (i) => real.loadCreds(i),
        getKeys: (i, t, ids) => real.getKeys(i, t, ids),
        instancesWithCreds: () => real.instancesWithCreds(),
        saveCreds: observed((i: string, c: string, at: Date) => real.saveCreds(i, c, at)),
        setKeys: observed((i: string, c: KeyChange[], at: Date) => real.setKeys(i, c, at)),
        wipe: observed((i: string) => real.wipe(i)),
      };
      const a = await databaseAuthState(id, repo, logger, clock);
      const b = await databaseAuthState(id, repo, logger, clock);
      const values = Array.from({ length: 8 }, () => new Uint8Array(randomBytes(48)));
      const target = '5511999999999:3@s.whatsapp.net.0';
      const doomed = '5511888888888.0';
      const pending: Promise<void>[] = [];
      for (const [i, value] of values.entries()) {
        const auth = i % 2 === 0 ? a : b;
        pending.push(Promise.resolve(auth.state.keys.set({ session: { [target]: value, [doomed]: i === values.length - 1 ? null : value } })));
        a.state.creds.nextPreKeyId = i;
        pending.push(a.saveCreds());
      }
      await Promise.all(pending);
      assert.equal(maxInFlight, 1, 'writes of one instance never overlap');

      await restart();
      const reloaded = await databaseAuthState(id, store.channelAuth, logger, clock);
      const read = await reloaded.state.keys.get('session', [target, doomed]);
      assert.deepEqual(Object.keys(read), [target]);
      assert.equal(serialize(read[target]), serialize(values.at(-1)));
      assert.equal(reloaded.state.creds.nextPreKeyId, values.length - 1);
    });

    it('a failed write rejects its own call and does not block the ones after it', async () => {
      // No instance row: the foreign key refuses every write.
      const orphan = randomUUID();
      const auth = await databaseAuthState(orphan, store.channelAuth, logger, clock);
      const first = auth.saveCreds();
      const second = Promise.resolve(auth.state.keys.set({ 'pre-key': { '1': Curve.generateKeyPair() } }));
      await assert.rejects(first);
      await assert.rejects(second);
      assert.equal(await store.channelAuth.loadCreds(orphan), undefined);
    });

    it('wipe removes creds and every key; instancesWithCreds and instancesWithStoredLogin follow', async () => {
      const linked = await instance();
      const unpaired = await instance();
      const auth = await databaseAuthState(linked.id, store.channelAuth, logger, clock);
      auth.state.creds.me = { id: '5511999999999:3@s.whatsapp.net' };
      await auth.saveCreds();
      await auth.state.keys.set(everyCategory() as SignalDataSet);
      const waiting = await databaseAuthState(unpaired.id, store.channelAuth, logger, clock);
      await waiting.saveCreds();

      assert.ok((await store.channelAuth.instancesWithCreds()).includes(linked.id));
      assert.ok((await store.channelAuth.instancesWithCreds()).includes(unpaired.id));
      const withLogin = await instancesWithStoredLogin(store.channelAuth);
      assert.ok(withLogin.includes(linked.id));
      assert.equal(withLogin.includes(unpaired.id), false, 'creds without a linked device are no login');

      // Cached reads must not outlive the wipe.
      assert.deepEqual(Object.keys(await auth.state.keys.get('pre-key', ['1'])), ['1']);
      await auth.wipe();
      assert.equal(await store.channelAuth.loadCreds(linked.id), undefined);
      assert.deepEqual(await auth.state.keys.get('pre-key', ['1']), {});
      for (const [type, entries] of Object.entries(everyCategory())) {
        assert.equal((await store.channelAuth.getKeys(linked.id, type, Object.keys(entries))).size, 0, type);
      }
      assert.equal((await store.channelAuth.instancesWithCreds()).includes(linked.id), false);
      assert.equal((await instancesWithStoredLogin(store.channelAuth)).includes(linked.id), false);
      assert.equal(await store.channelAuth.loadCreds(unpaired.id) !== undefined, true, 'other instances keep theirs');

      const again = await databaseAuthState(linked.id, store.channelAuth, logger, clock);
      assert.equal(again.state.creds.me, undefined, 'a new pairing starts from fresh creds');
    });

    it('deleting the instance deletes its login (cascade)', async () => {
      const { id } = await instance();
      const auth = await databaseAuthState(id, store.channelAuth, logger, clock);
      await auth.saveCreds();
      await auth.state.keys.set({ session: { '5511999999999.0': new Uint8Array(randomBytes(16)) }, 'lid-mapping': { '5511999999999': '123456789012345' } });
      assert.equal(await store.instances.delete(id), true);
      assert.equal(await store.channelAuth.loadCreds(id), undefined);
      assert.equal((await store.channelAuth.getKeys(id, 'session', ['5511999999999.0'])).size, 0);
      assert.equal((await store.channelAuth.getKeys(id, 'lid-mapping', ['5511999999999'])).size, 0);
      assert.equal((await store.channelAuth.instancesWithCreds()).includes(id), false);
    });

    it('setKeys joins the caller transaction inside Store.transaction (all or nothing)', async () => {
      const { id } = await instance();
      const value = serialize(new Uint8Array(randomBytes(16)));
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.channelAuth.setKeys(id, [{ type: 'session', id: 'a.0', value }], clock.now());
          throw new Error('roll back');
        }),
        /roll back/,
      );
      assert.equal((await store.channelAuth.getKeys(id, 'session', ['a.0'])).size, 0);
      await store.transaction((tx) => tx.channelAuth.setKeys(id, [{ type: 'session', id: 'a.0', value }], clock.now()));
      assert.equal((await store.channelAuth.getKeys(id, 'session', ['a.0'])).get('a.0'), value);
    });

    it('setKeys is one transaction: a change that fails leaves none of the batch stored', async () => {
      const { id } = await instance();
      const value = serialize(randomBytes(8));
      await store.channelAuth.setKeys(id, [{ type: 'session', id: 'keep.0', value }], clock.now());
      // A value the database refuses, written last: PostgreSQL rejects a NUL in text, better-sqlite3 cannot bind an object.
      const bad = (kind.name === 'postgres' ? 'bad\u0000value' : {}) as string;
      const many = Array.from({ length: 1200 }, (_, i) => ({ type: 'pre-key', id: String(i + 1), value }));
      await assert.rejects(
        store.channelAuth.setKeys(id, [...many, { type: 'session', id: 'keep.0', value: null }, { type: 'tctoken', id: 'x', value: bad }], clock.now()),
      );
      assert.equal((await store.channelAuth.getKeys(id, 'session', ['keep.0'])).get('keep.0'), value, 'the delete was rolled back');
      assert.equal((await store.channelAuth.getKeys(id, 'pre-key', ['1', '600', '1200'])).size, 0, 'the inserts were rolled back');
      // The same batch without the bad change is stored whole (several statements on PostgreSQL).
      await store.channelAuth.setKeys(id, many, clock.now());
      assert.equal((await store.channelAuth.getKeys(id, 'pre-key', many.map((k) => k.id))).size, 1200);
    });
  });
}
