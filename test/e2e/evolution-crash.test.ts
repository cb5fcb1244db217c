// kill -9 while inbound messages arrive through POST /webhook/evolution: every message that got its 200 is stored,
// and its MESSAGES_UPSERT reaches the webhook after restart (Evolution answers first and loses ~a window per crash).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { databaseKinds, type TestDatabase } from '../helpers/databases.js';
import { startServerProcess, type ServerProcess } from '../helpers/process.js';
import { WebhookSink } from '../helpers/webhook-sink.js';

const KEY = 'evo-crash-global-key-0123456789ab';

for (const kind of databaseKinds()) {
  describe(`EVOLUTION inbound across kill -9 [${kind.name}]`, () => {
    let db: TestDatabase;
    let server: ServerProcess | undefined;
    const sink = new WebhookSink();
    const options = () => ({ dataDir: db.dataDir, databaseUrl: db.url, apiKey: KEY, env: { LOG_LEVEL: 'warn', PARLEY_RETRY_SCHEDULE: '0,200ms,1s,2s' } });

    before(async () => {
      db = await kind.create();
      await sink.start();
    });
    after(async () => {
      await server?.kill();
      await sink.stop();
      await db.drop();
    });

    it('keeps every acknowledged inbound message and delivers its event', async () => {
      server = await startServerProcess(options());
      const created = await server.call('POST', '/instance/create', {
        body: { instanceName: 'evocrash', integration: 'EVOLUTION', number: '5511000000009', webhook: { url: sink.url, events: ['MESSAGES_UPSERT'] } },
      });
      assert.equal(created.status, 201, created.text);
      const acknowledged: string[] = [];
      let killed = false;
      const lanes = Array.from({ length: 16 }, async (_, lane) => {
        for (let i = lane; i < 2000 && !killed; i += 16) {
          const id = `CRASH-${i}`;
          try {
            const res = await server!.call('POST', '/webhook/evolution', {
              apikey: null,
              body: { numberId: '5511000000009', key: { id, remoteJid: `55119${String(i % 300).padStart(8, '0')}@s.whatsapp.net`, fromMe: false }, pushName: 'P', message: { conversation: `m${i}` } },
            });
            if (res.status === 200) acknowledged.push(id);
          } catch {
            return;
          }
        }
      });
      await sink.waitFor(() => sink.received.length >= 150, 30_000, '150 webhooks before the kill');
      killed = true;
      await server.kill();
      await Promise.all(lanes);

      server = await startServerProcess(options());
      const found = new Set<string>();
      for (let page = 1; ; page++) {
        const res = await server.call('POST', '/chat/findMessages/evocrash', { body: { page, offset: 500 } });
        for (const r of res.body.messages.records) found.add(r.key.id);
        if (page >= res.body.messages.pages) break;
      }
      const missing = acknowledged.filter((id) => !found.has(id));
      assert.deepEqual(missing, [], `${missing.length} acknowledged messages were lost`);
      const delivered = () => new Set(sink.events('messages.upsert').map((e) => e.data.key.id));
      await sink.waitFor(() => acknowledged.every((id) => delivered().has(id)), 30_000, 'every acknowledged MESSAGES_UPSERT');
      console.log(`# evolution crash [${kind.name}]: ${acknowledged.length} acknowledged, ${acknowledged.length} stored after restart, all events delivered`);
      await server.stop();
      server = undefined;
    });
  });
}
