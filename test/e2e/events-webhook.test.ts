// The durable webhook pipeline end to end: envelopes, signatures, byEvents, global webhook, retries after an
// outage with per-chat order kept, dead letters and replay, 410, slow-endpoint isolation, target policy.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import type { NewEvent } from '../../src/domain/events.js';
import { assertEvolutionError } from '../helpers/assert-error.js';
import { databaseKinds } from '../helpers/databases.js';
import { createInstance, startTestServer, type TestServer } from '../helpers/server.js';
import { WebhookSink } from '../helpers/webhook-sink.js';

const FAST_RETRIES = { PARLEY_RETRY_SCHEDULE: '0,100ms,200ms,300ms,400ms', PARLEY_RETRY_PROBE_SECONDS: '1', WEBHOOK_RETRY_JITTER_FACTOR: '0' };

/** Writes chat events straight into the outbox, as a channel's inbound pipeline will. */
async function appendChatEvents(server: TestServer, instance: { id: string; name: string }, chats: string[], perChat: number): Promise<void> {
  const events: NewEvent[] = [];
  for (let n = 0; n < perChat; n++) {
    for (const chat of chats) {
      events.push({ event: 'MESSAGES_UPSERT', instanceId: instance.id, instanceName: instance.name, chatKey: chat, data: { key: { remoteJid: chat, id: `${chat}-${n}` }, n } });
    }
  }
  await server.parley.store.transaction((tx) => tx.outbox.append(events, new Date()));
}

for (const kind of databaseKinds()) {
  describe(`webhook events [${kind.name}]`, () => {
    let server: TestServer;
    const sink = new WebhookSink();
    const global = new WebhookSink();
    const errors = new WebhookSink();

    before(async () => {
      await sink.start();
      await global.start();
      await errors.start();
      server = await startTestServer(kind, {
        env: {
          ...FAST_RETRIES,
          SERVER_URL: 'https://parley.example.com',
          WEBHOOK_GLOBAL_ENABLED: 'true',
          WEBHOOK_GLOBAL_URL: global.url,
          WEBHOOK_EVENTS_APPLICATION_STARTUP: 'true',
          WEBHOOK_EVENTS_INSTANCE_CREATE: 'true',
          WEBHOOK_EVENTS_REMOVE_INSTANCE: 'true',
          WEBHOOK_EVENTS_ERRORS: 'true',
          WEBHOOK_EVENTS_ERRORS_WEBHOOK: errors.url,
        },
      });
    });
    after(async () => {
      await server.close();
      await sink.stop();
      await global.stop();
      await errors.stop();
    });

    it('reports API errors to WEBHOOK_EVENTS_ERRORS_WEBHOOK without the global key', async () => {
      const res = await server.call('GET', '/instance/fetchInstances', { apikey: 'wrong' });
      assert.equal(res.status, 401);
      await errors.waitFor(() => errors.received.length >= 1);
      const report = errors.received[0]!.body;
      assert.equal(report.event, 'error');
      assert.deepEqual(report.data, { error: 'Unauthorized', message: 'Unauthorized', status: 401, response: { message: 'Unauthorized' } });
      assert.equal(report.api_key, null);
      assert.equal(report.server_url, 'https://parley.example.com');
    });

    it('sends APPLICATION_STARTUP to the global webhook at start', async () => {
      await global.waitFor(() => global.events('application.startup').length === 1);
      const startup = global.events('application.startup')[0];
      assert.equal(startup.instance, null);
      assert.equal(startup.destination, global.url);
    });

    it('delivers INSTANCE_CREATE to a webhook given at create, in Evolution’s exact envelope', async () => {
      const created = await createInstance(server, { instanceName: 'ev1', webhook: { url: `${sink.url}/hook`, events: ['INSTANCE_CREATE', 'REMOVE_INSTANCE'] } });
      assert.deepEqual(created.webhook, { webhookUrl: `${sink.url}/hook`, webhookHeaders: {}, webhookByEvents: false, webhookBase64: false });
      await sink.waitFor(() => sink.events('instance.create').length === 1);
      const hook = sink.received.find((h) => h.body.event === 'instance.create')!;
      assert.equal(hook.path, '/hook');
      assert.deepEqual(Object.keys(hook.body), ['event', 'instance', 'data', 'destination', 'date_time', 'server_url', 'apikey']);
      assert.deepEqual(hook.body.data, { instanceName: 'ev1', instanceId: created.instance.instanceId });
      assert.equal(hook.body.instance, 'ev1');
      assert.equal(hook.body.destination, `${sink.url}/hook`);
      assert.equal(hook.body.server_url, 'https://parley.example.com');
      assert.equal(hook.body.apikey, null, 'the instance token is not in event bodies unless AUTHENTICATION_EXPOSE_IN_FETCH_INSTANCES=true');
      assert.ok(Math.abs(Date.parse(hook.body.date_time) - Date.now()) < 60_000, 'date_time is real UTC');
      assert.equal(hook.headers['content-type'], 'application/json');
      assert.equal(hook.headers['webhook-signature'], undefined, 'unsigned without a secret');
      assert.match(String(hook.headers['webhook-id']), /^[0-9A-HJKMNP-TV-Z]{26}$/, 'the event id is sent even unsigned');
      // The global webhook gets it too, independently.
      await global.waitFor(() => global.events('instance.create').some((e) => e.instance === 'ev1'));
    });

    it('shows the webhook row, with Parley’s `signed`, and lists the instance’s deliveries', async () => {
      const found = await server.call('GET', '/webhook/find/ev1');
      assert.deepEqual(Object.keys(found.body).sort(), ['createdAt', 'enabled', 'events', 'headers', 'id', 'instanceId', 'signed', 'updatedAt', 'url', 'webhookBase64', 'webhookByEvents']);
      assert.deepEqual(found.body.events, ['REMOVE_INSTANCE', 'INSTANCE_CREATE'].sort((a, b) => found.body.events.indexOf(a) - found.body.events.indexOf(b)));
      const deliveries = await server.call('GET', '/events/deliveries/ev1?status=delivered');
      assert.equal(deliveries.status, 200);
      const own = deliveries.body.find((d: any) => d.endpoint.scope === 'instance');
      assert.equal(own.event, 'instance.create');
      assert.equal(own.attempts, 1);
      assert.match(own.eventId, /^[0-9A-HJKMNP-TV-Z]{26}$/);
      assert.ok(deliveries.body.some((d: any) => d.endpoint.scope === 'global'), 'the global key sees global endpoints too');
    });

    it('signs with Standard Webhooks when a secret is set; an independent verifier accepts it', async () => {
      const set = await server.call('POST', '/webhook/set/ev1', { body: { webhook: { enabled: true, url: sink.url, secret: true, events: ['MESSAGES_UPSERT'] } } });
      assert.equal(set.status, 201, set.text);
      assert.match(set.body.secret, /^whsec_/);
      assert.equal(set.body.signed, true);
      const again = await server.call('GET', '/webhook/find/ev1');
      assert.equal(again.body.secret, undefined, 'the secret is shown once, at generation');
      const instance = (await server.call('GET', '/instance/fetchInstances?instanceName=ev1')).body[0];
      const from = sink.received.length;
      await appendChatEvents(server, { id: instance.id, name: 'ev1' }, ['5511900000001@s.whatsapp.net'], 1);
      await sink.waitFor(() => sink.received.length > from);
      const hook = sink.received[from]!;
      const verified = new Webhook(set.body.secret).verify(hook.raw, {
        'webhook-id': String(hook.headers['webhook-id']),
        'webhook-timestamp': String(hook.headers['webhook-timestamp']),
        'webhook-signature': String(hook.headers['webhook-signature']),
      }) as any;
      assert.equal(verified.event, 'messages.upsert');
      const listed = await server.call('GET', `/events/deliveries/ev1?eventId=${hook.headers['webhook-id']}`);
      assert.equal(listed.body[0].eventId, hook.headers['webhook-id'], 'webhook-id is the event id');
    });

    it('appends the event suffix with byEvents', async () => {
      await server.call('POST', '/webhook/set/ev1', { body: { webhook: { enabled: true, url: `${sink.url}/base/`, byEvents: true, events: ['MESSAGES_UPSERT'] } } });
      const instance = (await server.call('GET', '/instance/fetchInstances?instanceName=ev1')).body[0];
      const from = sink.received.length;
      await appendChatEvents(server, { id: instance.id, name: 'ev1' }, ['5511900000002@s.whatsapp.net'], 1);
      await sink.waitFor(() => sink.received.length > from);
      assert.equal(sink.received[from]!.path, '/base/messages-upsert');
      assert.equal(sink.received[from]!.body.destination, `${sink.url}/base/messages-upsert`);
      assert.ok(sink.received[from]!.headers['webhook-signature'], 'an omitted secret keeps the one already set');
    });

    it('loses nothing through an outage and keeps per-chat order', async () => {
      const outage = await new WebhookSink().start();
      await createInstance(server, { instanceName: 'ev2' });
      await server.call('POST', '/webhook/set/ev2', { body: { webhook: { enabled: true, url: outage.url, events: ['MESSAGES_UPSERT'] } } });
      const instance = (await server.call('GET', '/instance/fetchInstances?instanceName=ev2')).body[0];
      outage.status = 500;
      const chats = ['a@s.whatsapp.net', 'b@s.whatsapp.net', 'c@s.whatsapp.net'];
      await appendChatEvents(server, { id: instance.id, name: 'ev2' }, chats, 10);
      // While it fails, deliveries wait as `retrying` with the error recorded.
      await waitUntil(async () => (await server.call('GET', '/events/deliveries/ev2?status=retrying')).body.length > 0);
      const retrying = (await server.call('GET', '/events/deliveries/ev2?status=retrying')).body[0];
      assert.equal(retrying.lastStatus, 500);
      assert.equal(retrying.lastError, 'HTTP 500');
      await outage.stop(); // now the receiver is down altogether
      await new Promise((r) => setTimeout(r, 300));
      outage.status = 200;
      await outage.start();
      await outage.waitFor(() => outage.received.length >= 30, 15_000);
      const ns = (chat: string) => outage.events('messages.upsert').filter((e) => e.data.key.remoteJid === chat).map((e) => e.data.n);
      for (const chat of chats) {
        const seen = ns(chat);
        assert.deepEqual([...new Set(seen)], [...Array(10).keys()], `chat ${chat} arrived complete and in order: ${seen}`);
      }
      await outage.stop();
    });

    it('turns a 404 into a dead letter at once, and replays it with the same event id', async () => {
      const gone = await new WebhookSink().start();
      await createInstance(server, { instanceName: 'ev3' });
      await server.call('POST', '/webhook/set/ev3', { body: { webhook: { enabled: true, url: gone.url, events: ['MESSAGES_UPSERT'] } } });
      const instance = (await server.call('GET', '/instance/fetchInstances?instanceName=ev3')).body[0];
      gone.status = 404;
      await appendChatEvents(server, { id: instance.id, name: 'ev3' }, ['d@s.whatsapp.net'], 1);
      await waitUntil(async () => (await server.call('GET', '/events/deliveries/ev3?status=dead')).body.length === 1);
      const dead = (await server.call('GET', '/events/deliveries/ev3?status=dead')).body[0];
      assert.equal(dead.attempts, 1, 'a 404 is not retried');
      gone.status = 200;
      const replay = await server.call('POST', '/events/replay/ev3', { body: { status: 'dead' } });
      assert.equal(replay.status, 201);
      assert.equal(replay.body.replayed, 1);
      await gone.waitFor(() => gone.received.length === 1);
      assert.equal(gone.received[0]!.body.data.key.id, 'd@s.whatsapp.net-0');
      await waitUntil(async () => (await server.call('GET', `/events/deliveries/ev3?eventId=${dead.eventId}`)).body[0]?.status === 'delivered');
      await gone.stop();
    });

    it('disables an endpoint that answers 410 Gone, until it is re-enabled', async () => {
      const gone = await new WebhookSink().start();
      await createInstance(server, { instanceName: 'ev4' });
      await server.call('POST', '/webhook/set/ev4', { body: { webhook: { enabled: true, url: gone.url, events: ['MESSAGES_UPSERT'] } } });
      const instance = (await server.call('GET', '/instance/fetchInstances?instanceName=ev4')).body[0];
      gone.status = 410;
      await appendChatEvents(server, { id: instance.id, name: 'ev4' }, ['e@s.whatsapp.net'], 2);
      await waitUntil(async () => (await server.call('GET', '/events/endpoints/ev4')).body[0]?.enabled === false);
      const endpoint = (await server.call('GET', '/events/endpoints/ev4')).body[0];
      assert.match(endpoint.disabledReason, /410/);
      gone.status = 200;
      const enabled = await server.call('POST', '/events/endpoints/enable/ev4', { body: { endpointId: endpoint.id } });
      assert.equal(enabled.status, 201);
      assert.equal(enabled.body.enabled, true);
      // The first event died with the 410; the second was held and now goes out.
      await gone.waitFor(() => gone.received.length === 1);
      assert.equal(gone.received[0]!.body.data.n, 1);
      await gone.stop();
    });

    it('a slow endpoint does not delay another instance’s endpoint', async () => {
      const slow = await new WebhookSink().start();
      const fast = await new WebhookSink().start();
      slow.delayMs = 2000;
      await createInstance(server, { instanceName: 'slow1', webhook: { url: slow.url, events: ['MESSAGES_UPSERT'] } });
      await createInstance(server, { instanceName: 'fast1', webhook: { url: fast.url, events: ['MESSAGES_UPSERT'] } });
      const list = (await server.call('GET', '/instance/fetchInstances')).body;
      const slowI = list.find((i: any) => i.name === 'slow1');
      const fastI = list.find((i: any) => i.name === 'fast1');
      await appendChatEvents(server, { id: slowI.id, name: 'slow1' }, ['s@s.whatsapp.net'], 3);
      const t0 = Date.now();
      await appendChatEvents(server, { id: fastI.id, name: 'fast1' }, ['f@s.whatsapp.net'], 3);
      await fast.waitFor(() => fast.received.length === 3, 5_000);
      const fastTook = Date.now() - t0;
      assert.ok(fastTook < 1500, `the fast endpoint waited ${fastTook} ms behind the slow one`);
      assert.ok(slow.received.length < 3, 'the slow one is still working through its chat');
      await slow.waitFor(() => slow.received.length === 3, 10_000);
      await slow.stop();
      await fast.stop();
    });

    it('delivers REMOVE_INSTANCE to the instance’s own webhook after the instance is gone', async () => {
      const own = await new WebhookSink().start();
      await createInstance(server, { instanceName: 'ev5', webhook: { url: own.url, events: ['REMOVE_INSTANCE', 'INSTANCE_DELETE'] } });
      const deleted = await server.call('DELETE', '/instance/delete/ev5');
      assert.equal(deleted.status, 200);
      await own.waitFor(() => own.events('remove.instance').length === 1 && own.events('instance.delete').length === 1);
      assert.equal(own.events('remove.instance')[0].data, null);
      assert.equal(own.events('instance.delete')[0].data.instanceName, 'ev5');
      await global.waitFor(() => global.events('remove.instance').some((e) => e.instance === 'ev5'));
      await own.stop();
    });

    it('validates webhook config: URL, events, headers, secret, and refuses metadata addresses', async () => {
      await createInstance(server, { instanceName: 'ev6' });
      const set = (webhook: unknown) => server.call('POST', '/webhook/set/ev6', { body: { webhook } });
      assertEvolutionError(await set({ enabled: true, url: 'ftp://x' }), 400, 'url must be an http(s) URL');
      assertEvolutionError(await set({ enabled: true }), 400, 'webhook requires property "url"');
      assertEvolutionError(await set({ enabled: 'yes', url: sink.url }), 400, 'webhook.enabled is not of a type(s) boolean');
      assertEvolutionError(await set({ enabled: true, url: sink.url, events: ['NOPE'] }), 400, '"NOPE" is not a known event');
      assertEvolutionError(await set({ enabled: true, url: sink.url, headers: { 'bad header': 'x' } }), 400, 'not a valid header name');
      assertEvolutionError(await set({ enabled: true, url: sink.url, headers: { 'x-a': 'b\r\nInjected: 1' } }), 400, 'line breaks');
      assertEvolutionError(await set({ enabled: true, url: sink.url, headers: { 'webhook-signature': 'forged' } }), 400, 'cannot be overridden');
      assertEvolutionError(await set({ enabled: true, url: sink.url, secret: 'not-a-secret' }), 400, 'whsec_');
      assertEvolutionError(await set({ enabled: true, url: 'http://169.254.169.254/latest/meta-data' }), 400, 'cloud metadata');
      assertEvolutionError(await set({ enabled: true, url: 'http://[fd00:ec2::254]/' }), 400, 'cloud metadata');
      // Any spelling of an event name is accepted; Evolution's `GROUPS_UPDATE` means GROUP_UPDATE.
      const ok = await set({ enabled: true, url: sink.url, events: ['messages.upsert', 'GROUPS_UPDATE', 'send-message'] });
      assert.equal(ok.status, 201, ok.text);
      assert.deepEqual(ok.body.events, ['MESSAGES_UPSERT', 'GROUP_UPDATE', 'SEND_MESSAGE']);
      const all = await set({ enabled: true, url: sink.url, events: [] });
      assert.equal(all.body.events.length, 31, 'an empty list means every event');
      const off = await set({ enabled: false, url: sink.url, events: ['CALL'] });
      assert.deepEqual(off.body.events, [], 'disabled stores no events');
      assertEvolutionError(await server.call('POST', '/rabbitmq/set/ev6', { body: { rabbitmq: { enabled: true } } }), 400, 'RABBITMQ_ENABLED');
    });
  });
}

describe('webhook target policy with PARLEY_BLOCK_PRIVATE_TARGETS=true', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer(databaseKinds()[0]!, { env: { PARLEY_BLOCK_PRIVATE_TARGETS: 'true' } });
    await createInstance(server, { instanceName: 'pol' });
  });
  after(() => server.close());

  it('refuses loopback and private targets, including DNS names that resolve to them', async () => {
    for (const url of ['http://127.0.0.1:9/x', 'http://10.1.2.3/', 'http://192.168.1.1/', 'http://[::1]:9/', 'http://localhost:9/x']) {
      const res = await server.call('POST', '/webhook/set/pol', { body: { webhook: { enabled: true, url } } });
      assertEvolutionError(res, 400, 'private');
    }
    const create = await server.call('POST', '/instance/create', { body: { instanceName: 'pol2', integration: 'EVOLUTION', number: '5511', webhook: { url: 'http://localhost:1/' } } });
    assertEvolutionError(create, 400, 'private');
    assert.equal((await server.call('GET', '/instance/fetchInstances?instanceName=pol2')).status, 404, 'nothing half-created');
  });
});

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('condition not met in time');
}

describe('recovery probes do not use up the retry schedule', () => {
  let server: TestServer;
  const sink = new WebhookSink();
  before(async () => {
    await sink.start();
    // Two scheduled attempts (now, +30 s) and a probe every second: an outage of several seconds spans several probes.
    server = await startTestServer(databaseKinds()[0]!, { env: { PARLEY_RETRY_SCHEDULE: '0,30s', PARLEY_RETRY_PROBE_SECONDS: '1', WEBHOOK_RETRY_JITTER_FACTOR: '0' } });
  });
  after(async () => {
    await server.close();
    await sink.stop();
  });

  it('delivers everything after an outage longer than several probe intervals', async () => {
    await createInstance(server, { instanceName: 'probe1', webhook: { url: sink.url, events: ['MESSAGES_UPSERT'] } });
    const instance = (await server.call('GET', '/instance/fetchInstances?instanceName=probe1')).body[0];
    sink.status = 500;
    await appendChatEvents(server, { id: instance.id, name: 'probe1' }, ['p1@s.whatsapp.net', 'p2@s.whatsapp.net'], 3);
    await new Promise((r) => setTimeout(r, 3500));
    const during = (await server.call('GET', '/events/deliveries/probe1?status=dead')).body;
    assert.equal(during.length, 0, 'no event died while probes failed');
    sink.status = 200;
    await sink.waitFor(() => sink.events('messages.upsert').length === 6, 8_000, 'all six events after recovery');
    const probed = (await server.call('GET', '/events/deliveries/probe1?status=delivered')).body;
    assert.ok(probed.some((d: any) => d.attempts > 2), 'the oldest event was probed more than the schedule allows');
  });
});
