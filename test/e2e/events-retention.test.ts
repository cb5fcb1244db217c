// Retention: delivered events are pruned after PARLEY_EVENT_RETENTION_HOURS, dead letters after
// PARLEY_DEAD_LETTER_RETENTION_DAYS; pending work is never pruned.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { databaseKinds } from '../helpers/databases.js';
import { createInstance, startTestServer, type TestServer } from '../helpers/server.js';
import { WebhookSink } from '../helpers/webhook-sink.js';

const HOUR = 3_600_000;

for (const kind of databaseKinds()) {
  describe(`event retention [${kind.name}]`, () => {
    let server: TestServer;
    let offset = 0;
    const clock = { now: () => new Date(Date.now() + offset) };
    const ok = new WebhookSink();
    const refusing = new WebhookSink();

    before(async () => {
      await ok.start();
      await refusing.start();
      refusing.status = 404;
      server = await startTestServer(kind, {
        clock,
        env: { PARLEY_EVENT_RETENTION_HOURS: '72', PARLEY_DEAD_LETTER_RETENTION_DAYS: '30', PARLEY_RETRY_SCHEDULE: '0,1h' },
      });
    });
    after(async () => {
      await server.close();
      await ok.stop();
      await refusing.stop();
    });

    it('prunes delivered after 72 h and dead letters after 30 days, never pending ones', async () => {
      await createInstance(server, { instanceName: 'keep1', webhook: { url: ok.url, events: ['INSTANCE_CREATE'] } });
      await createInstance(server, { instanceName: 'dead1', webhook: { url: refusing.url, events: ['INSTANCE_CREATE'] } });
      const counts = () => server.parley.store.deliveries.counts();
      const deadline = Date.now() + 10_000;
      while ((await counts()).delivered < 1 || (await counts()).dead < 1) {
        assert.ok(Date.now() < deadline, `not settled: ${JSON.stringify(await counts())}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      // Unfinished work that must survive: its receiver fails, so it waits for a retry an hour later.
      const failing = await new WebhookSink().start();
      failing.status = 500;
      await createInstance(server, { instanceName: 'wait1', webhook: { url: failing.url, events: ['INSTANCE_CREATE'] } });
      while ((await counts()).retrying < 1) {
        assert.ok(Date.now() < deadline, `not retrying: ${JSON.stringify(await counts())}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      await failing.stop();
      const dispatcher = server.parley.dispatcher!;

      offset = 71 * HOUR;
      assert.deepEqual(await dispatcher.prune(), { deliveries: 0, events: 0 });
      offset = 73 * HOUR;
      const first = await dispatcher.prune();
      assert.ok(first.deliveries >= 1 && first.events >= 1, JSON.stringify(first));
      assert.equal((await counts()).delivered, 0);
      assert.equal((await counts()).dead, 1, 'a dead letter outlives delivered events');
      assert.equal((await counts()).retrying, 1, 'unfinished work is never pruned');
      offset = 31 * 24 * HOUR;
      await dispatcher.prune();
      assert.equal((await counts()).dead, 0);
      assert.equal((await counts()).retrying, 1);
      const left = await server.call('GET', '/events/deliveries/wait1?status=retrying');
      assert.equal(left.body.length, 1, 'the pending event is intact, with its event');
    });
  });
}
