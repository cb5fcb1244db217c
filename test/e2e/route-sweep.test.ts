// Every route in the OpenAPI document, hit with malformed and mistyped input on instances of every integration:
// a client mistake must never be answered with a 5xx (a new route that forgets validation fails here).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FakeSocketFactory } from '../fakes/fake-baileys-socket.js';
import { databaseKinds } from '../helpers/databases.js';
import { createInstance, type TestServer } from '../helpers/server.js';
import { actLikeWhatsApp, OWNER, startBaileysServer, uniqueName } from './baileys-helpers.js';

const BODIES = ['{bad', '[]', '"text"', '{}', '{"number":{"a":1},"text":[1],"remoteJid":42,"enabled":"maybe","groupJid":null}', '{"name":"\\u0000","number":"\\u0000","text":"\\u0000"}'];
// Routes whose purpose is to receive provider traffic or that stop the node: not client input in this sense.
const SKIP = new Set(['/webhook/meta', '/webhook/evolution', '/instance/logout/{instanceName}', '/instance/delete/{instanceName}']);

for (const kind of databaseKinds().slice(0, 1)) {
  describe(`every route answers bad input without a 5xx [${kind.name}]`, () => {
    let server: TestServer;
    const names: string[] = [];

    before(async () => {
      const fake = new FakeSocketFactory();
      actLikeWhatsApp(fake);
      server = await startBaileysServer(kind, fake, {
        env: { OPENAI_ENABLED: 'true', DIFY_ENABLED: 'true', FLOWISE_ENABLED: 'true', TYPEBOT_ENABLED: 'true', N8N_ENABLED: 'true', EVOAI_ENABLED: 'true' },
      });
      for (const integration of ['EVOLUTION', 'WHATSAPP-BAILEYS', 'WHATSAPP-BUSINESS']) {
        const name = uniqueName('sweep');
        await createInstance(server, { instanceName: name, integration, number: `5511${Math.floor(Math.random() * 1e8)}`, token: integration === 'WHATSAPP-BUSINESS' ? 'meta-token' : undefined, businessId: 'b1' });
        names.push(name);
        if (integration !== 'WHATSAPP-BAILEYS') continue;
        // Linked, so the WhatsApp-Web-only routes reach the socket with whatever got through validation.
        await server.call('GET', `/instance/connect/${name}`);
        fake.latest(name).scan(OWNER);
        for (let i = 0; i < 200; i++) {
          if ((await server.call('GET', `/instance/connectionState/${name}`)).body?.instance?.state === 'open') break;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        assert.equal((await server.call('GET', `/instance/connectionState/${name}`)).body.instance.state, 'open');
      }
    });
    after(() => server.close());

    it('no route answers a 5xx to malformed or mistyped input', async () => {
      const doc = (await server.call('GET', '/docs/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
      const failures: string[] = [];
      let requests = 0;
      for (const [template, methods] of Object.entries(doc.paths)) {
        if (SKIP.has(template)) continue;
        for (const method of Object.keys(methods).map((m) => m.toUpperCase())) {
          for (const name of names) {
            const path = template.replace('{instanceName}', name).replace(/\{[^}]+\}/g, 'x');
            const bodies = method === 'GET' || method === 'DELETE' ? [undefined] : BODIES;
            for (const raw of bodies) {
              const res = await server.call(method, `${path}?page=x&openaiCredsId=%00&status=zzz`, raw === undefined ? {} : { rawBody: raw, headers: { 'content-type': 'application/json' } });
              requests += 1;
              if (res.status >= 500) failures.push(`${method} ${template} [${name.split('-')[0]}] body=${raw ?? '-'} → ${res.status} ${res.text.slice(0, 160)}`);
            }
          }
        }
      }
      assert.ok(requests > 500, `swept ${requests} requests`);
      assert.deepEqual(failures, []);
    });
  });
}
