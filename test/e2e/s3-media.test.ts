// Media in S3 end to end: a Cloud API inbound image is downloaded and stored in S3 (a local fake speaking S3's REST
// API), /s3/getMedia and /s3/getMediaUrl serve it to its own instance only, and the presigned URL returns the bytes.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { FakeGraph } from '../fakes/fake-graph.js';
import { FakeS3 } from '../fakes/fake-s3.js';
import { assertEvolutionError } from '../helpers/assert-error.js';
import { databaseKinds } from '../helpers/databases.js';
import { createInstance, startTestServer, type TestServer } from '../helpers/server.js';
import { WebhookSink } from '../helpers/webhook-sink.js';

const KEY_ID = 'AKIAPARLEYTEST000001';
const SECRET = 'parley-test-secret-key-0123456789abcdef';
const TOKEN = 'graph-token-s3test';
const PHONE = '109876543210987';
const APP_SECRET = 'app-secret-s3test';

describe('media in S3', () => {
  let server: TestServer;
  let graph: FakeGraph;
  let s3: FakeS3;
  const sink = new WebhookSink();

  before(async () => {
    graph = await FakeGraph.start({ tokens: [TOKEN] });
    s3 = await FakeS3.start({ accessKeyId: KEY_ID, secretAccessKey: SECRET, buckets: ['parley-media'] });
    await sink.start();
    server = await startTestServer(databaseKinds()[0]!, {
      env: {
        WA_BUSINESS_URL: graph.url, WA_BUSINESS_APP_SECRET: APP_SECRET,
        S3_ENABLED: 'true', S3_ENDPOINT: s3.url, S3_ACCESS_KEY: KEY_ID, S3_SECRET_KEY: SECRET, S3_BUCKET: 'parley-media', S3_REGION: 'us-east-1',
      },
    });
    await createInstance(server, { instanceName: 's3biz', integration: 'WHATSAPP-BUSINESS', token: TOKEN, number: PHONE, businessId: '1', webhook: { url: sink.url, events: ['MESSAGES_UPSERT'] } });
    await createInstance(server, { instanceName: 'other', token: 'other-token-123' });
  });
  after(async () => {
    await server.close();
    await sink.stop();
    await graph.close();
    await s3.close();
  });

  it('stores inbound media in S3 under the instance, and serves it to that instance only', async () => {
    const bytes = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(1024)]);
    const mediaId = graph.addMedia(bytes, 'image/jpeg');
    const wamid = `wamid.${randomBytes(8).toString('hex')}`;
    const payload = {
      object: 'whatsapp_business_account',
      entry: [{ id: '0', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { phone_number_id: PHONE },
        contacts: [{ profile: { name: 'Pic' }, wa_id: '5511977776666' }],
        messages: [{ from: '5511977776666', id: wamid, timestamp: String(Math.floor(Date.now() / 1000)), type: 'image', image: { id: mediaId, mime_type: 'image/jpeg', sha256: createHash('sha256').update(bytes).digest('hex') } }] } }] }],
    };
    const { body, headers } = graph.signedDelivery(payload, APP_SECRET);
    const res = await server.call('POST', '/webhook/meta', { apikey: null, rawBody: body, headers });
    assert.equal(res.status, 200, res.text);
    await sink.waitFor(() => sink.events('messages.upsert').some((e) => e.data.key.id === wamid), 10_000);

    const instanceId = (await server.call('GET', '/instance/fetchInstances?instanceName=s3biz')).body[0].id;
    const stored = [...s3.objects.keys()].filter((k) => k.startsWith(`parley-media/${instanceId}/`));
    assert.equal(stored.length, 1, `one object under the instance prefix: ${[...s3.objects.keys()]}`);

    const listed = await server.call('POST', '/s3/getMedia/s3biz', { body: { messageId: wamid } });
    assert.equal(listed.status, 200, listed.text);
    assert.equal(listed.body[0].mimetype, 'image/jpeg');
    assert.equal(listed.body[0].fileLength, bytes.length);

    const url = await server.call('POST', '/s3/getMediaUrl/s3biz', { body: { id: wamid, expiry: 600 } });
    assert.equal(url.status, 201, url.text);
    const fetched = await fetch(url.body.mediaUrl);
    assert.equal(fetched.status, 200);
    assert.ok(Buffer.from(await fetched.arrayBuffer()).equals(bytes), 'the presigned URL returns the exact bytes');

    // Another instance (its own token) cannot reach this media, even knowing the message id.
    assertEvolutionError(await server.call('POST', '/s3/getMediaUrl/other', { apikey: 'other-token-123', body: { id: wamid } }), 404);
    assertEvolutionError(await server.call('POST', '/s3/getMedia/other', { apikey: 'other-token-123', body: { messageId: wamid } }), 404);
  });
});

describe('media URLs without S3', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer(databaseKinds()[0]!);
    await createInstance(server, { instanceName: 'local1', integration: 'EVOLUTION', number: '5511000000077' });
  });
  after(() => server.close());

  it('answers a clear 400 for getMediaUrl on the local store', async () => {
    assertEvolutionError(await server.call('POST', '/s3/getMediaUrl/local1', { body: { id: 'x' } }), 400, 'S3 is disabled');
  });
});
