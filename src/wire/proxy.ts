// `/proxy/*` and the proxy fields of `/instance/create`.
import { isIP } from 'node:net';
import { z } from 'zod';
import { PROXY_PROTOCOLS, type ProxySettings } from '../domain/instance.js';
import type { StoredRow } from '../ports/store.js';
import { iso, portSchema } from './common.js';

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

export const proxyHostSchema = z.string().refine((v) => HOSTNAME.test(v) || isIP(v) !== 0, {
  error: (issue) => `must be a host name or IP address (no scheme, port or path), got "${String(issue.input)}"`,
});

export const proxyProtocolSchema = z.enum(PROXY_PROTOCOLS);

export const proxySetBody = z
  .object({
    enabled: z.boolean(),
    host: z.string().optional(),
    port: z.union([z.string(), z.number()]).optional(),
    protocol: z.string().optional(),
    username: z.string().optional(),
    password: z.string().optional(),
  })
  .superRefine((body, ctx) => {
    // With `enabled:false` every field is blanked, so only an enabled proxy needs its address.
    if (!body.enabled) return;
    for (const key of ['host', 'port', 'protocol'] as const) {
      if (body[key] === undefined || body[key] === '') {
        ctx.addIssue({ code: 'custom', path: [key], message: `instance requires property "${key}"` });
      }
    }
    if (body.host) {
      const r = proxyHostSchema.safeParse(body.host);
      if (!r.success) ctx.addIssue({ code: 'custom', path: ['host'], message: `host ${r.error.issues[0]!.message}` });
    }
    if (body.port !== undefined && body.port !== '') {
      const r = portSchema.safeParse(body.port);
      if (!r.success) ctx.addIssue({ code: 'custom', path: ['port'], message: `port ${r.error.issues[0]!.message}` });
    }
    if (body.protocol) {
      const r = proxyProtocolSchema.safeParse(body.protocol);
      if (!r.success) {
        ctx.addIssue({ code: 'custom', path: ['protocol'], message: `protocol is not one of enum values: ${PROXY_PROTOCOLS.join(',')}` });
      }
    }
  });

export type ProxySetBody = z.output<typeof proxySetBody>;

export function proxyFromBody(body: ProxySetBody): ProxySettings {
  return {
    enabled: body.enabled,
    host: body.host ?? '',
    port: body.port === undefined ? '' : String(body.port).trim(),
    protocol: (body.protocol ?? '') as ProxySettings['protocol'],
    username: body.username ?? '',
    password: body.password ?? '',
  };
}

export function proxyValues(p: ProxySettings) {
  return { enabled: p.enabled, host: p.host, port: p.port, protocol: p.protocol, username: p.username, password: p.password };
}

export function proxySetResponse(instanceName: string, p: ProxySettings) {
  return { proxy: { instanceName, proxy: proxyValues(p) } };
}

/** The stored `Proxy` row as Evolution serializes it. */
export function proxyRow(p: StoredRow<ProxySettings>) {
  return { id: p.id, ...proxyValues(p), createdAt: iso(p.createdAt), updatedAt: iso(p.updatedAt), instanceId: p.instanceId };
}
