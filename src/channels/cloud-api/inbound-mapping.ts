// One item of Meta's `messages[]` / `statuses[]` → Parley's InboundMessage / StatusUpdate, with WhatsApp-JSON content.
// Defensive by design: a shape we do not understand gives `undefined` (the item is skipped), never an exception.
import { messageTypeOf, type InboundMedia, type InboundMessage, type MessageContent, type MessageStatus, type StatusUpdate } from '../../domain/message.js';
import { contactsContent, inboundCard } from './contacts.js';

type Obj = Record<string, unknown>;

const isObj = (value: unknown): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value);
const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const num = (value: unknown): number | undefined => {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
};
const defined = (object: Obj): Obj => Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined));

export const userJid = (waId: string) => `${waId}@s.whatsapp.net`;

export interface InboundContext {
  /** The sender's profile name from `value.contacts[]`. */
  pushNameOf(waId: string): string | null;
  /** A lazy download of an inbound media id. */
  media(mediaId: string, hint: { mimetype?: string; fileName?: string; sha256?: string }): InboundMedia;
}

const MEDIA_TYPES = new Set(['image', 'video', 'audio', 'document', 'sticker']);

function mediaContent(type: string, object: Obj): MessageContent | undefined {
  if (str(object.id) === undefined) return undefined;
  const shown: Obj = defined({
    id: object.id,
    mimetype: str(object.mime_type),
    fileSha256: str(object.sha256),
    caption: str(object.caption),
  });
  if (type === 'document') Object.assign(shown, defined({ fileName: str(object.filename), title: str(object.filename) }));
  if (type === 'audio') shown.ptt = object.voice === true;
  if (type === 'sticker') shown.isAnimated = object.animated === true;
  return { [`${type}Message`]: shown };
}

function interactiveContent(object: Obj): MessageContent | undefined {
  const button = isObj(object.button_reply) ? object.button_reply : undefined;
  if (object.type === 'button_reply' && button !== undefined) {
    return { buttonsResponseMessage: defined({ selectedButtonId: str(button.id), selectedDisplayText: str(button.title), type: 1 }) };
  }
  const row = isObj(object.list_reply) ? object.list_reply : undefined;
  if (object.type === 'list_reply' && row !== undefined) {
    return { listResponseMessage: defined({ title: str(row.title), description: str(row.description), listType: 1, singleSelectReply: { selectedRowId: str(row.id) } }) };
  }
  const flow = isObj(object.nfm_reply) ? object.nfm_reply : undefined;
  if (object.type === 'nfm_reply' && flow !== undefined) {
    return {
      interactiveResponseMessage: {
        body: { text: str(flow.body) ?? '' },
        nativeFlowResponseMessage: defined({ name: str(flow.name) ?? 'flow', paramsJson: str(flow.response_json) ?? '{}', version: 3 }),
      },
    };
  }
  return str(object.type) === undefined ? undefined : { interactiveResponseMessage: object };
}

function orderContent(object: Obj): MessageContent {
  const items = Array.isArray(object.product_items) ? object.product_items.filter(isObj) : [];
  return {
    orderMessage: defined({
      catalogId: str(object.catalog_id),
      message: str(object.text),
      itemCount: items.reduce((n, item) => n + (num(item.quantity) ?? 1), 0),
      productItems: items.map((item) =>
        defined({ productRetailerId: str(item.product_retailer_id), quantity: num(item.quantity), itemPrice: num(item.item_price), currency: str(item.currency) }),
      ),
    }),
  };
}

const camel = (snake: string) => snake.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** The WhatsApp-JSON content of one Meta message, or undefined when its payload is missing or malformed. */
export function contentOf(raw: Obj, remoteJid: string, timestamp: number): MessageContent | undefined {
  const type = str(raw.type);
  if (type === undefined) return undefined;
  const payload = raw[type];
  if (type === 'text') return isObj(payload) && typeof payload.body === 'string' ? { conversation: payload.body } : undefined;
  if (MEDIA_TYPES.has(type)) return isObj(payload) ? mediaContent(type, payload) : undefined;
  switch (type) {
    case 'location': {
      if (!isObj(payload) || num(payload.latitude) === undefined || num(payload.longitude) === undefined) return undefined;
      const { name, address, url } = payload;
      return { locationMessage: defined({ degreesLatitude: num(payload.latitude), degreesLongitude: num(payload.longitude), name: str(name), address: str(address), url: str(url) }) };
    }
    case 'contacts': {
      const cards = Array.isArray(payload) ? payload.filter(isObj).map(inboundCard) : [];
      return cards.length === 0 ? undefined : contactsContent(cards);
    }
    case 'reaction': {
      if (!isObj(payload) || str(payload.message_id) === undefined) return undefined;
      return { reactionMessage: { key: { remoteJid, id: payload.message_id }, text: typeof payload.emoji === 'string' ? payload.emoji : '', senderTimestampMs: timestamp * 1000 } };
    }
    case 'interactive':
      return isObj(payload) ? interactiveContent(payload) : undefined;
    case 'button':
      return isObj(payload) ? { templateButtonReplyMessage: defined({ selectedId: str(payload.payload), selectedDisplayText: str(payload.text) }) } : undefined;
    case 'order':
      return isObj(payload) ? orderContent(payload) : undefined;
    case 'system':
      return isObj(payload)
        ? { systemMessage: defined({ type: str(payload.type), body: str(payload.body), newWaId: str(payload.wa_id) ?? str(payload.new_wa_id), customer: str(payload.customer) }) }
        : undefined;
    case 'unsupported':
    case 'unknown':
      return { unsupportedMessage: defined({ type: isObj(payload) ? str(payload.type) : undefined, errors: Array.isArray(raw.errors) ? raw.errors : undefined }) };
    default:
      // A type added after this adapter was written: keep Meta's payload under `<type>Message`.
      return /^[a-z][a-z_]*$/.test(type) ? { [`${camel(type)}Message`]: isObj(payload) ? payload : {} } : undefined;
  }
}

function contextInfoOf(raw: Obj): Obj | null {
  const info: Obj = {};
  if (isObj(raw.context)) {
    const { id, from, forwarded, frequently_forwarded: frequently } = raw.context;
    if (str(id)) info.stanzaId = id;
    if (str(from)) info.participant = userJid(from as string);
    if (forwarded === true || frequently === true) Object.assign(info, { isForwarded: true, forwardingScore: frequently === true ? 5 : 1 });
  }
  if (isObj(raw.referral)) {
    const r = raw.referral;
    info.externalAdReply = defined({
      title: str(r.headline), body: str(r.body), sourceUrl: str(r.source_url), sourceId: str(r.source_id), sourceType: str(r.source_type),
      mediaType: str(r.media_type), thumbnailUrl: str(r.thumbnail_url) ?? str(r.image_url), ctwaClid: str(r.ctwa_clid),
    });
  }
  return Object.keys(info).length === 0 ? null : info;
}

/** One `messages[]` item, or undefined to skip it. */
export function mapInboundMessage(raw: unknown, context: InboundContext, nowSeconds: number): InboundMessage | undefined {
  if (!isObj(raw)) return undefined;
  const from = str(raw.from);
  const id = str(raw.id);
  if (from === undefined || id === undefined) return undefined;
  const remoteJid = userJid(from);
  const messageTimestamp = Math.floor(num(raw.timestamp) ?? nowSeconds);
  const message = contentOf(raw, remoteJid, messageTimestamp);
  if (message === undefined) return undefined;
  const inbound: InboundMessage = {
    key: { remoteJid, fromMe: false, id },
    pushName: context.pushNameOf(from),
    messageType: messageTypeOf(message),
    message,
    contextInfo: contextInfoOf(raw),
    messageTimestamp,
    source: 'unknown',
    status: 'DELIVERY_ACK',
  };
  const type = raw.type as string;
  const payload = raw[type];
  if (MEDIA_TYPES.has(type) && isObj(payload)) {
    inbound.media = context.media(payload.id as string, { mimetype: str(payload.mime_type), fileName: str(payload.filename), sha256: str(payload.sha256) });
  }
  return inbound;
}

const STATUSES: Record<string, MessageStatus> = { sent: 'SENT', delivered: 'DELIVERED', read: 'READ', failed: 'FAILED', played: 'PLAYED' };

/** One `statuses[]` item, or undefined to skip it. */
export function mapStatus(raw: unknown, nowSeconds: number): StatusUpdate | undefined {
  if (!isObj(raw)) return undefined;
  const keyId = str(raw.id);
  const status = STATUSES[str(raw.status) ?? ''];
  if (keyId === undefined || status === undefined) return undefined;
  const recipient = str(raw.recipient_id);
  const remoteJid = recipient === undefined ? (str(raw.recipient_user_id) ?? '') : userJid(recipient);
  const first = Array.isArray(raw.errors) ? raw.errors.find(isObj) : undefined;
  const details = first === undefined ? undefined : isObj(first.error_data) ? str(first.error_data.details) : undefined;
  return {
    keyId,
    remoteJid,
    fromMe: true,
    participant: remoteJid === '' ? null : remoteJid,
    status,
    timestamp: Math.floor(num(raw.timestamp) ?? nowSeconds),
    error:
      first === undefined
        ? null
        : defined({ code: num(first.code) ?? str(first.code) ?? 'unknown', title: str(first.title) ?? str(first.message) ?? 'Unknown error', details: details ?? str(first.message) }) as NonNullable<StatusUpdate['error']>,
  };
}
