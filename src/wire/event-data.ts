// Evolution's `data` shapes of lifecycle events (compat §5.5).
import type { Instance } from '../domain/instance.js';
import type { ConnectionUpdate, ConversationEventData, LifecycleEventData } from '../ports/event-data.js';
import { chatUpdateData, chatUpsertData, contactData, messageObject, messageUpdateData } from './message-object.js';

export const lifecycleEventData: LifecycleEventData = {
  instanceCreate: (i: Instance) => ({ instanceName: i.name, instanceId: i.id }),
  instanceDelete: (i: Instance) => ({ instanceName: i.name, instanceId: i.id }),
  connectionUpdate: (i: Instance, u: ConnectionUpdate) =>
    u.state === 'open'
      ? { instance: i.name, wuid: i.ownerJid, profileName: i.profileName, profilePictureUrl: i.profilePicUrl, state: 'open', statusReason: u.statusReason ?? 200 }
      : { instance: i.name, state: u.state, statusReason: u.statusReason ?? 200 },
  statusInstance: (i: Instance) => ({
    instance: i.name,
    status: 'closed',
    disconnectionAt: i.disconnectionAt?.toISOString() ?? null,
    disconnectionReasonCode: i.disconnectionReasonCode,
    disconnectionObject: i.disconnectionObject,
  }),
  applicationStartup: (info) => ({ serverName: info.serverName, version: info.version }),
  qrcodeUpdated: (i, qr) => ({ qrcode: { instance: i.name, pairingCode: qr.pairingCode, code: qr.code, base64: qr.base64 } }),
  qrcodeLimitReached: () => ({ message: 'QR code limit reached, please login again', statusCode: 500 }),
};

export const conversationEventData: ConversationEventData = {
  message: messageObject,
  messageUpdate: messageUpdateData,
  contact: contactData,
  chatUpsert: chatUpsertData,
  chatUpdate: chatUpdateData,
};
