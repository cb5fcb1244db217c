// `/instance/*`: request schemas and the response shapes of compat §4.
import { z } from 'zod';
import { CONNECTION_STATES, INTEGRATIONS, PRESENCES, type Instance } from '../domain/instance.js';
import type { CreateInstanceInput, CreatedInstance } from '../core/instances.js';
import type { ConnectResult } from '../ports/channel.js';
import type { InstanceView } from '../ports/store.js';
import { instanceNameSchema, iso, portSchema } from './common.js';
import type { Transport } from '../domain/delivery.js';
import type { EndpointSettings } from '../ports/events.js';
import { EventConfigService } from '../core/event-config.js';
import { createTransportFields, transportRow } from './event-config.js';
import { proxyHostSchema, proxyProtocolSchema, proxyRow } from './proxy.js';
import { settingsRow, settingsValues } from './settings.js';

export const createInstanceBody = z
  .object({
    instanceName: instanceNameSchema,
    // Evolution answers a missing or unknown integration with this exact text.
    integration: z
      .string({ error: 'Invalid integration' })
      .refine((v) => (INTEGRATIONS as readonly string[]).includes(v), { error: 'Invalid integration' }),
    token: z.string().min(1).max(512).optional(),
    number: z
      .string()
      .regex(/^\d+[.@\w-]+/, { error: 'number must start with digits (e.g. 5511999999999)' })
      .optional(),
    businessId: z.string().optional(),
    qrcode: z.boolean().optional(),
    status: z.enum(CONNECTION_STATES).optional(),
    rejectCall: z.boolean().optional(),
    msgCall: z.string().optional(),
    groupsIgnore: z.boolean().optional(),
    alwaysOnline: z.boolean().optional(),
    readMessages: z.boolean().optional(),
    readStatus: z.boolean().optional(),
    syncFullHistory: z.boolean().optional(),
    wavoipToken: z.string().optional(),
    proxyHost: proxyHostSchema.optional(),
    proxyPort: portSchema.optional(),
    proxyProtocol: proxyProtocolSchema.optional(),
    proxyUsername: z.string().optional(),
    proxyPassword: z.string().optional(),
    chatwootAccountId: z.union([z.string(), z.number()]).optional(),
    chatwootToken: z.string().optional(),
    chatwootUrl: z.string().optional(),
    ...createTransportFields,
  })
  .superRefine((body, ctx) => {
    // Baileys with qrcode:true passes `number` on as the phone to pair (compat §4.2): it must be one.
    const pairing = pairingDigits(body);
    if (pairing !== undefined && !/^\d{8,15}$/.test(pairing)) {
      ctx.addIssue({ code: 'custom', path: ['number'], message: PAIRING_NUMBER_RULE });
    }
  });

const PAIRING_NUMBER_RULE = 'must be the phone number to pair, digits only (8 to 15)';

function pairingDigits(body: { integration: string; qrcode?: boolean; number?: string }): string | undefined {
  if (body.integration !== 'WHATSAPP-BAILEYS' || body.qrcode !== true || body.number === undefined) return undefined;
  // A JID-like number (`5511…@s.whatsapp.net`, `5511…:12@…`) pairs its user part.
  return body.number.split(/[@:]/)[0]!.replace(/[\s.+-]/g, '');
}

export type CreateInstanceBody = z.output<typeof createInstanceBody>;

/** The phone number a create asks to pair with a code instead of a QR (Baileys, `qrcode:true` and `number`). */
export function pairingNumberOf(body: CreateInstanceBody): string | undefined {
  return pairingDigits(body);
}

export function wantsChatwoot(body: CreateInstanceBody): boolean {
  return body.chatwootAccountId !== undefined && body.chatwootToken !== undefined && body.chatwootUrl !== undefined;
}

export function createInputFromBody(body: CreateInstanceBody): CreateInstanceInput {
  const hasProxy = body.proxyHost !== undefined && body.proxyPort !== undefined && body.proxyProtocol !== undefined;
  return {
    name: body.instanceName,
    integration: body.integration as CreateInstanceInput['integration'],
    token: body.token,
    number: body.number,
    businessId: body.businessId,
    status: body.status,
    settings: {
      rejectCall: body.rejectCall,
      msgCall: body.msgCall,
      groupsIgnore: body.groupsIgnore,
      alwaysOnline: body.alwaysOnline,
      readMessages: body.readMessages,
      readStatus: body.readStatus,
      syncFullHistory: body.syncFullHistory,
      wavoipToken: body.wavoipToken,
    },
    endpoints: transportsFromBody(body),
    proxy: hasProxy
      ? {
          enabled: true,
          host: body.proxyHost!,
          port: body.proxyPort!,
          protocol: body.proxyProtocol!,
          username: body.proxyUsername ?? '',
          password: body.proxyPassword ?? '',
        }
      : undefined,
  };
}

const CREATE_TRANSPORTS = ['webhook', 'websocket', 'rabbitmq', 'nats', 'sqs', 'kafka', 'mqtt', 'pusher'] as const;

/** A transport object in the create body means "enabled" (Evolution ignores any `enabled` there). */
function transportsFromBody(body: CreateInstanceBody): { transport: Transport; settings: EndpointSettings }[] {
  const result: { transport: Transport; settings: EndpointSettings }[] = [];
  for (const transport of CREATE_TRANSPORTS) {
    const given = body[transport];
    if (given === undefined) continue;
    const { events, ...rest } = given as { events?: EndpointSettings['events'] } & Record<string, unknown>;
    const config =
      transport === 'webhook'
        ? { url: rest.url, headers: rest.headers ?? {}, byEvents: rest.byEvents ?? false, base64: rest.base64 ?? false }
        : transport === 'pusher'
          ? rest
          : {};
    result.push({ transport, settings: EventConfigService.settingsOf({ enabled: true, events, config }) });
  }
  return result;
}

/** Echo of the transports given at create, in Evolution's response shape. */
function createdTransports(body: CreateInstanceBody) {
  const echo: Record<string, unknown> = {};
  if (body.webhook !== undefined) {
    echo.webhook = { webhookUrl: body.webhook.url, webhookHeaders: body.webhook.headers ?? {}, webhookByEvents: body.webhook.byEvents ?? false, webhookBase64: body.webhook.base64 ?? false };
  }
  for (const t of ['websocket', 'rabbitmq', 'nats', 'sqs', 'kafka', 'mqtt', 'pusher'] as const) {
    if (body[t] !== undefined) echo[t] = { enabled: true };
  }
  return echo;
}

export interface CreateResponseContext {
  serverUrl: string;
  metaVerifyToken: string;
}

/** `connected`: what connect answered when the create asked for a QR; the status shown is the state it reached. */
export function createResponse(created: CreatedInstance, ctx: CreateResponseContext, body: CreateInstanceBody, connected?: ConnectResult) {
  const { instance } = created;
  const qrcode = connected?.qrcode;
  const business = instance.integration === 'WHATSAPP-BUSINESS';
  return {
    instance: {
      instanceName: instance.name,
      instanceId: instance.id,
      integration: instance.integration,
      webhookWaBusiness: business ? `${ctx.serverUrl}/webhook/meta` : null,
      accessTokenWaBusiness: business ? ctx.metaVerifyToken : '',
      status: connected?.state ?? instance.connectionStatus,
    },
    hash: instance.token,
    ...createdTransports(body),
    settings: settingsValues(created.settings),
    ...(qrcode !== undefined ? { qrcode } : {}),
  };
}

/** One element of `fetchInstances` (compat §4.5). */
export function instanceRow(view: InstanceView) {
  const i = view.instance;
  return {
    id: i.id,
    name: i.name,
    connectionStatus: i.connectionStatus,
    ownerJid: i.ownerJid,
    profileName: i.profileName,
    profilePicUrl: i.profilePicUrl,
    integration: i.integration,
    number: i.number,
    businessId: i.businessId,
    token: i.token,
    clientName: i.clientName,
    disconnectionReasonCode: i.disconnectionReasonCode,
    disconnectionObject: i.disconnectionObject,
    disconnectionAt: iso(i.disconnectionAt),
    createdAt: iso(i.createdAt),
    updatedAt: iso(i.updatedAt),
    Chatwoot: null,
    Proxy: view.proxy === null ? null : proxyRow(view.proxy),
    Rabbitmq: relation(view, 'rabbitmq'),
    Nats: relation(view, 'nats'),
    Sqs: relation(view, 'sqs'),
    Websocket: relation(view, 'websocket'),
    Setting: view.settings === null ? null : settingsRow(view.settings),
    _count: { Message: view.counts.messages, Contact: view.counts.contacts, Chat: view.counts.chats },
  };
}

function relation(view: InstanceView, transport: Transport) {
  const endpoint = view.endpoints.find((e) => e.transport === transport);
  return endpoint === undefined ? null : transportRow(endpoint);
}

export const fetchInstancesQuery = z.object({
  instanceName: z.string().optional(),
  instanceId: z.string().optional(),
  number: z.string().optional(),
});

export const connectQuery = z.object({
  number: z
    .string()
    .regex(/^\+?\d{8,15}$/, { error: 'number must be the phone number to pair, digits only (8 to 15)' })
    .optional(),
});

export function connectionStateResponse(instance: Instance) {
  return { instance: { instanceName: instance.name, state: instance.connectionStatus } };
}

/** `open` → the connectionState shape; otherwise the QR object (fields may be absent until the QR arrives). */
export function connectResponse(instance: Instance, result: ConnectResult) {
  if (result.state === 'open' || result.qrcode === undefined) {
    return { instance: { instanceName: instance.name, state: result.state } };
  }
  return { ...result.qrcode };
}

export const setPresenceBody = z.object({ presence: z.enum(PRESENCES) });

export const logoutResponse = { status: 'SUCCESS', error: false, response: { message: 'Instance logged out' } };
export const deleteResponse = { status: 'SUCCESS', error: false, response: { message: 'Instance deleted' } };
