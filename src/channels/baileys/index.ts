// The WhatsApp Web channel (WHATSAPP-BAILEYS): the factory for src/channels/registry.ts, its capability set, and the
// socket types tests build fakes against.
export { baileysChannel, BAILEYS_CAPABILITIES, BAILEYS_UNSUPPORTED, type BaileysSettings } from './factory.js';
export type { BaileysSocket, MakeSocket } from './socket.js';
