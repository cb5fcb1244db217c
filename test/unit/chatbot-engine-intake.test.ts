// The engine's outbox cursor never passes an event that is not visible yet. On PostgreSQL a seq is taken at insert, so
// a transaction can commit after a later seq is visible: the cursor waits at the hole, and skips it only once it has
// been open longer than gapWaitMs (a rolled-back transaction leaves a permanent hole). Also: pruning keeps untaken events.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { BotConfigCache } from '../../src/chatbots/engine/config-cache.js';
import { CONSUMER, OutboxIntake } from '../../src/chatbots/engine/intake.js';
import { loadConfig } from '../../src/config/load.js';
import type { NewEvent } from '../../src/domain/events.js';
import { systemClock } from '../../src/ports/clock.js';
import type { Store } from '../../src/ports/store.js';
import { openDatabase } from '../../src/storage/db.js';
import { createStore } from '../../src/storage/store.js';
import { chatbotEventData } from '../../src/wire/chatbots/session-events.js';
import { databaseKinds, type TestDatabase } from '../helpers/databases.js';

const event = (text: string): NewEvent => ({
  event: 'MESSAGES_UPSERT', instanceId: null, instanceName: null,
  data: { key: { remoteJid: '5511999999999@s.whatsapp.net', fromMe: false, id: text }, message: { conversation: text }, messageType: 'conversation' },
});

for (const kind of databaseKinds()) {
  describe(`chatbot engine outbox cursor [${kind.name}]`, () => {
    let database: TestDatabase;
    let store: Store;
    before(async () => {
      database = await kind.create();
      store = createStore(await openDatabase(loadConfig({ DATABASE_URL: database.url, PARLEY_DATA_DIR: database.dataDir }).database));
    });
    after(async () => {
      await store.close();
      await database.drop();
    });

    const append = (text: string) => store.transaction((tx) => tx.outbox.append([event(text)], new Date()));
    const intake = (gapWaitMs: number) => new OutboxIntake(store, chatbotEventData, systemClock, new BotConfigCache(store.chatbots, new Set(), { ttlMs: 5000 }), { gapWaitMs });

    it('starts at the end of the outbox the first time, then resumes from its stored cursor', async () => {
      await append('history');
      const first = intake(0);
      await first.init();
      const start = await store.botSessions.cursor(CONSUMER);
      assert.equal(start, await store.outbox.lastSeq());
      const [stored] = await append('new');
      await first.drain();
      assert.equal(await store.botSessions.cursor(CONSUMER), stored!.seq);
      const second = intake(0);
      await second.init();
      assert.equal(await second.drain(), false);
      assert.equal(await store.botSessions.cursor(CONSUMER), stored!.seq);
    });

    it('keeps events it has not taken when the outbox is pruned', async () => {
      const untaken = await append('not taken yet');
      const pruned = await store.deliveries.prune(new Date(Date.now() + 60_000), new Date(Date.now() + 60_000));
      assert.ok(pruned.events > 0, 'taken events without deliveries are pruned');
      assert.deepEqual((await store.outbox.after(untaken[0]!.seq - 1, untaken[0]!.seq, ['MESSAGES_UPSERT'], 10)).map((e) => e.id), [untaken[0]!.id]);
      await intake(0).drain();
    });

    if (kind.name === 'postgres') {
      it('waits at a hole left by a transaction still committing, and takes both once it commits', async () => {
        const consumer = intake(60_000);
        await consumer.init();
        const before = await store.botSessions.cursor(CONSUMER);
        let release!: () => void;
        const gate = new Promise<void>((resolve) => (release = resolve));
        let slowSeq = 0;
        const slow = store.transaction(async (tx) => {
          slowSeq = (await tx.outbox.append([event('slow')], new Date()))[0]!.seq;
          await gate;
        });
        while (slowSeq === 0) await sleep(5);
        const [fast] = await append('fast');
        assert.ok(fast!.seq > slowSeq);
        assert.equal(await consumer.drain(), true, 'waiting on the hole');
        assert.equal(await store.botSessions.cursor(CONSUMER), before);
        release();
        await slow;
        assert.equal(await consumer.drain(), false);
        assert.equal(await store.botSessions.cursor(CONSUMER), fast!.seq);
      });

      it('skips a hole left by a rolled-back transaction after gapWaitMs', async () => {
        const consumer = intake(50);
        await consumer.init();
        await store.transaction(async (tx) => {
          await tx.outbox.append([event('rolled back')], new Date());
          throw new Error('roll back');
        }).catch(() => undefined);
        const [after] = await append('after the hole');
        assert.equal(await consumer.drain(), true);
        await sleep(60);
        assert.equal(await consumer.drain(), false);
        assert.equal(await store.botSessions.cursor(CONSUMER), after!.seq);
      });
    }
  });
}
