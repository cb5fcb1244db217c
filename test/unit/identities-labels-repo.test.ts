// The LID ↔ phone-number map and WhatsApp Business labels in the database: one pn per lid and one lid per pn (a
// re-mapping replaces the old pair), what `remember` reports as new, label upsert/delete and chat associations, and
// cascade with the instance. Runs on SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/load.js';
import type { Instance } from '../../src/domain/instance.js';
import type { Store } from '../../src/ports/store.js';
import { openDatabase } from '../../src/storage/db.js';
import { createStore } from '../../src/storage/store.js';
import { databaseKinds, type TestDatabase } from '../helpers/databases.js';

const at = new Date(1_763_700_000_000);
const later = new Date(1_763_700_060_000);

function newInstance(name: string): Instance {
  return {
    id: randomUUID(), name, clientName: 'test', integration: 'WHATSAPP-BAILEYS', connectionStatus: 'close',
    ownerJid: null, profileName: null, profilePicUrl: null, number: null, businessId: null, token: randomUUID(),
    disconnectionReasonCode: null, disconnectionObject: null, disconnectionAt: null, createdAt: at, updatedAt: at,
  };
}

const LID_A = '123456789012345@lid';
const LID_B = '987654321098765@lid';
const LID_C = '555555555555555@lid';
const PN_A = '5511999999999@s.whatsapp.net';
const PN_B = '5511888888888@s.whatsapp.net';

for (const kind of databaseKinds()) {
  describe(`identities and labels repositories [${kind.name}]`, () => {
    let database: TestDatabase;
    let store: Store;
    let seq = 0;
    const instance = async (): Promise<string> => {
      const created = newInstance(`ids-${++seq}`);
      assert.equal(await store.instances.insert(created, `hash-${created.id}`), true);
      return created.id;
    };

    before(async () => {
      database = await kind.create();
      store = createStore(await openDatabase(loadConfig({ DATABASE_URL: database.url, PARLEY_DATA_DIR: database.dataDir }).database));
    });
    after(async () => {
      await store.close();
      await database.drop();
    });

    describe('identities', () => {
      it('remembers pairs, answers both ways and reports only what is new or changed', async () => {
        const id = await instance();
        assert.deepEqual(await store.identities.remember(id, [{ lid: LID_A, pn: PN_A }, { lid: LID_B, pn: PN_B }], at), [
          { lid: LID_A, pn: PN_A },
          { lid: LID_B, pn: PN_B },
        ]);
        assert.equal(await store.identities.pnForLid(id, LID_A), PN_A);
        assert.equal(await store.identities.lidForPn(id, PN_B), LID_B);
        assert.deepEqual(await store.identities.aliases(id, LID_A), [LID_A, PN_A]);
        assert.deepEqual(await store.identities.aliases(id, PN_A), [PN_A, LID_A]);
        assert.deepEqual(await store.identities.aliases(id, '5511777777777@s.whatsapp.net'), ['5511777777777@s.whatsapp.net']);
        assert.equal(await store.identities.pnForLid(id, LID_C), undefined);
        assert.equal(await store.identities.lidForPn(id, '5511777777777@s.whatsapp.net'), undefined);

        // Learned again (every message carries it): nothing new.
        assert.deepEqual(await store.identities.remember(id, [{ lid: LID_A, pn: PN_A }, { lid: LID_A, pn: PN_A }], later), []);
        assert.deepEqual(await store.identities.remember(id, [], later), []);
      });

      it('a phone number re-mapped to a new lid replaces the old pair (and the old lid forgets it)', async () => {
        const id = await instance();
        await store.identities.remember(id, [{ lid: LID_A, pn: PN_A }, { lid: LID_B, pn: PN_B }], at);
        assert.deepEqual(await store.identities.remember(id, [{ lid: LID_C, pn: PN_A }], later), [{ lid: LID_C, pn: PN_A }]);
        assert.equal(await store.identities.lidForPn(id, PN_A), LID_C);
        assert.equal(await store.identities.pnForLid(id, LID_C), PN_A);
        assert.equal(await store.identities.pnForLid(id, LID_A), undefined);
        assert.deepEqual(await store.identities.aliases(id, LID_A), [LID_A]);
        assert.equal(await store.identities.pnForLid(id, LID_B), PN_B, 'other pairs untouched');

        // A lid re-mapped to another number, displacing that number's pair too.
        assert.deepEqual(await store.identities.remember(id, [{ lid: LID_C, pn: PN_B }], later), [{ lid: LID_C, pn: PN_B }]);
        assert.equal(await store.identities.pnForLid(id, LID_C), PN_B);
        assert.equal(await store.identities.lidForPn(id, PN_A), undefined);
        assert.equal(await store.identities.pnForLid(id, LID_B), undefined);
      });

      it('within one batch the later pair wins', async () => {
        const id = await instance();
        const changed = await store.identities.remember(id, [{ lid: LID_A, pn: PN_A }, { lid: LID_B, pn: PN_A }, { lid: LID_C, pn: PN_B }], at);
        assert.deepEqual(changed, [{ lid: LID_B, pn: PN_A }, { lid: LID_C, pn: PN_B }]);
        assert.equal(await store.identities.lidForPn(id, PN_A), LID_B);
        assert.equal(await store.identities.pnForLid(id, LID_A), undefined);
      });

      it('many pairs at once (history sync), per instance', async () => {
        const id = await instance();
        const other = await instance();
        const pairs = Array.from({ length: 1500 }, (_, i) => ({ lid: `${100_000_000_000 + i}@lid`, pn: `55119${String(i).padStart(8, '0')}@s.whatsapp.net` }));
        assert.equal((await store.identities.remember(id, pairs, at)).length, 1500);
        assert.equal((await store.identities.remember(id, pairs, later)).length, 0);
        assert.equal(await store.identities.pnForLid(id, pairs[1234]!.lid), pairs[1234]!.pn);
        assert.equal(await store.identities.pnForLid(other, pairs[1234]!.lid), undefined, 'maps are per instance');
        assert.deepEqual(await store.identities.remember(other, [{ lid: pairs[0]!.lid, pn: PN_A }], at), [{ lid: pairs[0]!.lid, pn: PN_A }]);
        assert.equal(await store.identities.pnForLid(id, pairs[0]!.lid), pairs[0]!.pn, 'another instance does not displace');
      });

      it('joins the caller transaction and goes with its instance', async () => {
        const id = await instance();
        await assert.rejects(
          store.transaction(async (tx) => {
            await tx.identities.remember(id, [{ lid: LID_A, pn: PN_A }], at);
            throw new Error('roll back');
          }),
          /roll back/,
        );
        assert.equal(await store.identities.pnForLid(id, LID_A), undefined);
        await store.identities.remember(id, [{ lid: LID_A, pn: PN_A }], at);
        assert.equal(await store.instances.delete(id), true);
        assert.equal(await store.identities.pnForLid(id, LID_A), undefined);
        assert.equal(await store.identities.lidForPn(id, PN_A), undefined);
      });
    });

    describe('labels', () => {
      it('upserts, lists in label-id order, updates in place and deletes with deleted:true', async () => {
        const id = await instance();
        const created = await store.labels.upsert(id, { labelId: '10', name: 'Paid', color: 3, predefinedId: null }, at);
        assert.ok(created);
        assert.equal(typeof created.id, 'string');
        assert.deepEqual({ ...created, id: undefined }, { id: undefined, instanceId: id, labelId: '10', name: 'Paid', color: 3, predefinedId: null });
        await store.labels.upsert(id, { labelId: '2', name: 'New customer', color: 0, predefinedId: '1' }, at);
        assert.deepEqual((await store.labels.list(id)).map((l) => l.labelId), ['2', '10']);

        const renamed = await store.labels.upsert(id, { labelId: '10', name: 'Paid in full', color: 7, predefinedId: null }, later);
        assert.equal(renamed?.id, created.id, 'same row');
        assert.deepEqual(await store.labels.find(id, '10'), { id: created.id, instanceId: id, labelId: '10', name: 'Paid in full', color: 7, predefinedId: null });
        assert.equal((await store.labels.list(id)).length, 2);

        await store.labels.associate(id, PN_A, '10');
        assert.equal(await store.labels.upsert(id, { labelId: '10', name: 'Paid in full', color: 7, predefinedId: null, deleted: true }, later), undefined);
        assert.equal(await store.labels.find(id, '10'), undefined);
        assert.deepEqual((await store.labels.list(id)).map((l) => l.labelId), ['2']);
        assert.deepEqual(await store.labels.labelsOfChat(id, PN_A), [], 'a deleted label leaves no chat tagged');
        // Deleting a label that is not there is fine.
        assert.equal(await store.labels.upsert(id, { labelId: '404', name: '', color: 0, predefinedId: null, deleted: true }, later), undefined);
        assert.deepEqual(await store.labels.list(await instance()), [], 'labels are per instance');
      });

      it('associates and dissociates chats, idempotently, even before the label is known', async () => {
        const id = await instance();
        const group = '120363025246125486@g.us';
        assert.equal(await store.labels.associate(id, PN_A, '10'), true);
        assert.equal(await store.labels.associate(id, PN_A, '10'), false, 'already tagged');
        assert.equal(await store.labels.associate(id, PN_A, '2'), true);
        assert.equal(await store.labels.associate(id, group, '2'), true);
        assert.deepEqual(await store.labels.labelsOfChat(id, PN_A), ['2', '10']);
        assert.deepEqual(await store.labels.labelsOfChat(id, group), ['2']);
        assert.deepEqual(await store.labels.labelsOfChat(id, PN_B), []);

        assert.equal(await store.labels.dissociate(id, PN_A, '2'), true);
        assert.equal(await store.labels.dissociate(id, PN_A, '2'), false, 'no longer tagged');
        assert.deepEqual(await store.labels.labelsOfChat(id, PN_A), ['10']);
        assert.deepEqual(await store.labels.labelsOfChat(id, group), ['2'], 'other chats keep theirs');
      });

      it('go with their instance (cascade)', async () => {
        const id = await instance();
        await store.labels.upsert(id, { labelId: '1', name: 'Lead', color: 1, predefinedId: null }, at);
        await store.labels.associate(id, PN_A, '1');
        assert.equal(await store.instances.delete(id), true);
        assert.deepEqual(await store.labels.list(id), []);
        assert.deepEqual(await store.labels.labelsOfChat(id, PN_A), []);
      });
    });
  });
}
