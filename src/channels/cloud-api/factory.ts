// The WhatsApp Business Cloud API channel (integration WHATSAPP-BUSINESS): sends through Graph
// `POST /{phone_number_id}/messages`, receives through Meta's webhook, templates through the WABA. Per instance:
// `token` = access token, `number` = phone_number_id, `businessId` = WABA id. There is no socket, so the state is
// always `open`; a connection only holds the number's send limiter and cancels pending calls when closed.
import { badRequest, DomainError } from '../../domain/errors.js';
import type { ConnectionState, Instance } from '../../domain/instance.js';
import { messageTypeOf, type MessageKey } from '../../domain/message.js';
import type { OutboundMessage } from '../../domain/outbound.js';
import type { ChannelCapability, ChannelConnection, ChannelEvents, ChannelFactory, ConnectResult, SendResult, TemplateApi } from '../../ports/channel.js';
import { DEFAULT_RETRY, GraphClient, sleep, type RetryPolicy } from './graph-client.js';
import { downloadMedia, uploadMedia } from './media.js';
import { TokenBucket } from './rate-limiter.js';
import { planSend, recipientOf } from './send-mapping.js';
import { parseDelivery } from './webhook.js';

export interface CloudApiSettings {
  /** e.g. `https://graph.facebook.com` (Evolution's WA_BUSINESS_URL). */
  graphUrl: string;
  /** e.g. `v25.0` (WA_BUSINESS_VERSION); pin it. */
  graphVersion: string;
  /** Per phone number; Meta's default throughput is 80 messages per second. */
  sendRatePerSecond: number;
  fetch?: typeof fetch;
  /** Backoff on rate limits, 5xx and network errors (default 500 ms doubling, ≤ 8 s each, ≤ 30 s in total). */
  retry?: Partial<RetryPolicy>;
  /** Per HTTP request (default 20 s). */
  requestTimeoutMs?: number;
}

export const CLOUD_API_UNSUPPORTED = 'Method not available on WhatsApp Business API';

export const CLOUD_API_CAPABILITIES: ReadonlySet<ChannelCapability> = new Set<ChannelCapability>([
  'text', 'media', 'voice', 'sticker', 'location', 'contacts', 'reaction', 'list', 'buttons', 'template', 'markRead', 'templates',
]);

interface SendAnswer {
  contacts?: { input?: string; wa_id?: string }[];
  messages?: { id?: string; message_status?: string }[];
}

type ClientOptions = Omit<ConstructorParameters<typeof GraphClient>[0], 'token' | 'signal'>;

class CloudApiConnection implements ChannelConnection {
  private abort = new AbortController();
  private limiter: TokenBucket;
  private client: GraphClient;
  private state: ConnectionState;
  readonly templates: TemplateApi;

  constructor(
    private readonly instance: Instance,
    private readonly events: ChannelEvents,
    private readonly clientOptions: ClientOptions,
    private readonly ratePerSecond: number,
  ) {
    this.state = instance.connectionStatus;
    this.limiter = new TokenBucket(ratePerSecond);
    this.client = this.newClient();
    this.templates = {
      create: (template) => this.createTemplate(template),
      list: () => this.listTemplates(),
    };
  }

  private newClient(): GraphClient {
    return new GraphClient({ ...this.clientOptions, token: this.instance.token, signal: this.abort.signal });
  }

  /** Cancels pending calls and backoffs; the connection stays usable with a fresh limiter. */
  private reset(): void {
    const closed = new DomainError('unavailable', ['The WhatsApp Business API connection of this instance was closed']);
    this.abort.abort(closed);
    this.limiter.close(closed);
    this.abort = new AbortController();
    this.limiter = new TokenBucket(this.ratePerSecond);
    this.client = this.newClient();
  }

  async connect(): Promise<ConnectResult> {
    if (this.state !== 'open') {
      await this.events.connectionChanged({ connectionStatus: 'open' });
      this.state = 'open';
    }
    return { state: 'open' };
  }

  restart(): Promise<ConnectResult> {
    return this.connect();
  }

  async logout(): Promise<void> {
    this.reset();
    this.state = 'close';
  }

  async close(): Promise<void> {
    this.reset();
  }

  async setPresence(): Promise<void> {
    throw badRequest(CLOUD_API_UNSUPPORTED);
  }

  private phoneNumberId(): string {
    const id = this.instance.number?.trim();
    if (!id) throw badRequest('This WhatsApp Business instance has no "number" (the phone_number_id from Meta)');
    if (!/^\d+$/.test(id)) throw badRequest(`"${id}" is not a phone_number_id: use the numeric id Meta shows for the number, not the phone number`);
    return id;
  }

  private businessId(): string {
    const id = this.instance.businessId?.trim();
    if (!id) throw badRequest('This WhatsApp Business instance has no "businessId" (the WhatsApp Business Account id), needed for templates');
    return id;
  }

  async send(outbound: OutboundMessage): Promise<SendResult> {
    const phoneNumberId = this.phoneNumberId();
    const { content } = outbound;
    const to = recipientOf(outbound.to !== '' ? outbound.to : content.kind === 'reaction' ? content.key.remoteJid : '');
    const plan = planSend(content, CLOUD_API_UNSUPPORTED);
    if (plan.upload !== undefined) {
      const { data, mimetype, fileName, target } = plan.upload;
      target.id = await uploadMedia(this.client, phoneNumberId, data, mimetype, fileName);
    }
    // Cloud API has no presence to show while waiting; the requested delay is still honoured before sending.
    if (outbound.delayMs !== undefined && outbound.delayMs > 0) await sleep(outbound.delayMs, this.abort.signal);
    const quoted = outbound.quoted?.key.id;
    const body = {
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to,
      ...(quoted && content.kind !== 'reaction' ? { context: { message_id: quoted } } : {}),
      ...plan.payload,
    };
    const answer = await this.client.postJson<SendAnswer>(`${phoneNumberId}/messages`, body, this.limiter);
    const wamid = answer.messages?.[0]?.id;
    if (typeof wamid !== 'string' || wamid === '') {
      throw new DomainError('unavailable', ['WhatsApp Business API accepted the message but returned no message id']);
    }
    const waId = answer.contacts?.[0]?.wa_id;
    return {
      key: { remoteJid: `${typeof waId === 'string' && waId !== '' ? waId : to}@s.whatsapp.net`, fromMe: true, id: wamid },
      message: plan.message,
      messageType: messageTypeOf(plan.message),
      status: 'PENDING',
      messageTimestamp: Math.floor(Date.now() / 1000),
    };
  }

  /** Marks received messages read (Meta also marks every earlier message of that chat). */
  async markRead(keys: MessageKey[]): Promise<void> {
    const phoneNumberId = this.phoneNumberId();
    const ids = [...new Set(keys.filter((k) => !k.fromMe && k.id !== '').map((k) => k.id))];
    const results = await Promise.allSettled(
      ids.map((id) => this.client.postJson(`${phoneNumberId}/messages`, { messaging_product: 'whatsapp', status: 'read', message_id: id }, this.limiter)),
    );
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  }

  private async createTemplate(template: Parameters<TemplateApi['create']>[0]): Promise<{ id: string; status?: string; category?: string }> {
    const answer = await this.client.postJson<{ id?: unknown; status?: unknown; category?: unknown }>(`${this.businessId()}/message_templates`, {
      name: template.name,
      category: template.category,
      ...(template.allowCategoryChange === undefined ? {} : { allow_category_change: template.allowCategoryChange }),
      language: template.language,
      components: template.components,
    });
    if (typeof answer.id !== 'string' && typeof answer.id !== 'number') throw new DomainError('unavailable', ['WhatsApp Business API created no template id']);
    return {
      id: String(answer.id),
      ...(typeof answer.status === 'string' ? { status: answer.status } : {}),
      ...(typeof answer.category === 'string' ? { category: answer.category } : {}),
    };
  }

  /** Every template of the WABA (Graph pages followed, at most 20). */
  private async listTemplates(): Promise<unknown[]> {
    const all: unknown[] = [];
    let next: string | undefined = `${this.businessId()}/message_templates?limit=100`;
    for (let page = 0; next !== undefined && page < 20; page++) {
      const answer: { data?: unknown; paging?: { next?: unknown } } = await this.client.getJson(next);
      if (Array.isArray(answer.data)) all.push(...answer.data);
      next = typeof answer.paging?.next === 'string' && Array.isArray(answer.data) && answer.data.length > 0 ? answer.paging.next : undefined;
    }
    return all;
  }
}

export function cloudApiChannel(settings: CloudApiSettings): ChannelFactory {
  const clientOptions: ClientOptions = {
    graphUrl: settings.graphUrl,
    graphVersion: settings.graphVersion,
    fetch: settings.fetch ?? globalThis.fetch,
    retry: { ...DEFAULT_RETRY, ...settings.retry },
    ...(settings.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: settings.requestTimeoutMs }),
  };
  const rate = settings.sendRatePerSecond > 0 ? settings.sendRatePerSecond : 80;
  new URL(settings.graphUrl); // fail at start-up on a malformed URL, not at the first send
  return {
    integration: 'WHATSAPP-BUSINESS',
    capabilities: CLOUD_API_CAPABILITIES,
    unsupportedMessage: CLOUD_API_UNSUPPORTED,
    open: (instance, events) => new CloudApiConnection(instance, events, clientOptions, rate),
    async parseWebhook(body, instanceFor) {
      const instances = new Map<string, Promise<Instance | undefined>>();
      const lookup = (accountId: string) => {
        let found = instances.get(accountId);
        if (found === undefined) instances.set(accountId, (found = instanceFor(accountId)));
        return found;
      };
      return parseDelivery(body, (accountId, mediaId, hint) => ({
        async download() {
          const instance = await lookup(accountId);
          if (instance === undefined || instance.token === '') throw new Error(`no WhatsApp Business instance for phone_number_id ${accountId}`);
          const client = new GraphClient({ ...clientOptions, token: instance.token, signal: new AbortController().signal });
          return downloadMedia(client, mediaId, hint);
        },
      }));
    },
  };
}
