// The null target: the least an Evolution-compatible server must do for the inbound workload — accept
// POST /webhook/evolution and forward it to the configured webhook, storing nothing. It marks this machine's ceiling.
import http from 'node:http';
import { Agent, request } from 'undici';

export async function startNullPipeline(): Promise<{ base: string; close(): Promise<void> }> {
  const webhooks = new Map<string, string>();
  const instancesByNumber = new Map<string, string>();
  const agent = new Agent({ connections: 64, keepAliveTimeout: 30_000 });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = chunks.length > 0 ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as any) : {};
      const path = req.url ?? '/';
      const json = (status: number, value: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
      if (path === '/instance/create') {
        instancesByNumber.set(String(body.number), body.instanceName);
        if (body.webhook?.url) webhooks.set(body.instanceName, body.webhook.url);
        return json(201, { instance: { instanceName: body.instanceName, status: 'open' }, hash: 'null' });
      }
      if (path.startsWith('/instance/delete/')) return json(200, { status: 'SUCCESS' });
      if (path === '/webhook/evolution') {
        const instance = instancesByNumber.get(String(body.numberId));
        const url = instance === undefined ? undefined : webhooks.get(instance);
        json(200, { status: 'success' });
        if (url !== undefined) {
          const event = { event: 'messages.upsert', instance, data: { key: body.key, pushName: body.pushName, message: body.message, messageType: body.messageType }, destination: url, date_time: new Date().toISOString() };
          request(url, { method: 'POST', body: JSON.stringify(event), headers: { 'content-type': 'application/json' }, dispatcher: agent }).then((r) => r.body.dump(), () => undefined);
        }
        return;
      }
      json(404, { status: 404, error: 'Not Found', response: { message: [`Cannot ${req.method} ${path}`] } });
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await agent.close();
    },
  };
}
