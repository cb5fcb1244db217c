// The WhatsApp Business Cloud API channel: the factory for src/channels/registry.ts and the webhook signature check
// for the Meta webhook route.
export { cloudApiChannel, CLOUD_API_CAPABILITIES, CLOUD_API_UNSUPPORTED, type CloudApiSettings } from './factory.js';
export { META_SIGNATURE_HEADER, metaSignature, verifyMetaSignature } from './signature.js';
