// The WhatsApp-Web-only feature sets of one Baileys connection, and how the connection exposes them.
// The connection (factory.ts) calls `createBaileysFeatures` once per instance with a getter of its current socket,
// passes `groupCache.get` to makeWASocket's `cachedGroupMetadata`, and `attachFeatures(connection, features)`.
import type { MediaSource } from '../../../domain/outbound.js';
import type { ChannelConnection, MediaDownloads } from '../../../ports/channel.js';
import type { Clock } from '../../../ports/clock.js';
import { mediaBytes } from '../media-convert.js';
import { DEFAULT_GROUP_CACHE, GroupCache, type GroupCacheOptions } from '../group-cache.js';
import { DEFAULT_NUMBER_CHECK, NumberChecker, type NumberCheckOptions } from '../number-check.js';
import { BaileysChatActions } from './chats.js';
import { BaileysGroupActions } from './groups.js';
import { BaileysLabelActions } from './labels.js';
import { BaileysPrivacyActions } from './privacy.js';
import { BaileysProfileActions } from './profile.js';
import { requireSocket, type SocketGetter } from './socket-access.js';

export { type SocketGetter } from './socket-access.js';

/** The capabilities these feature sets give the channel (add them to BAILEYS_CAPABILITIES). */
export { BAILEYS_FEATURE_CAPABILITIES } from './capabilities.js';

export interface BaileysFeatureDeps {
  instanceName: string;
  socket: SocketGetter;
  clock: Clock;
  /** Waits (sendPresence's delay, number-check spacing); tests pass one that does not sleep. */
  sleep?: (ms: number) => Promise<void>;
  /** The LID of a phone-number JID when known (the identities repository). */
  lidOf?: (pnJid: string) => Promise<string | undefined>;
  numberCheck?: Partial<NumberCheckOptions>;
  groupCache?: Partial<GroupCacheOptions>;
  /** Fetches picture URLs (profile and group pictures) under the outbound policy. */
  media: MediaDownloads;
}

export interface BaileysFeatures {
  chats: BaileysChatActions;
  profile: BaileysProfileActions;
  privacy: BaileysPrivacyActions;
  groups: BaileysGroupActions;
  labels: BaileysLabelActions;
  /** For `cachedGroupMetadata` and the group event handlers (set/update/refresh/invalidate). */
  groupCache: GroupCache;
  numbers: NumberChecker;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createBaileysFeatures(deps: BaileysFeatureDeps): BaileysFeatures {
  const { instanceName, socket, clock } = deps;
  const sleep = deps.sleep ?? realSleep;
  const groupCache = new GroupCache((jid) => requireSocket(socket, instanceName).groupMetadata(jid), clock, { ...DEFAULT_GROUP_CACHE, ...deps.groupCache });
  const numbers = new NumberChecker(
    (jids) => requireSocket(socket, instanceName).onWhatsApp(...jids),
    clock,
    sleep,
    { ...DEFAULT_NUMBER_CHECK, ...deps.numberCheck },
  );
  const pictureBytes = (picture: MediaSource) => mediaBytes(picture, deps.media, deps.media.maxBytes);
  return {
    chats: new BaileysChatActions({ instanceName, socket, numbers, groups: groupCache, clock, sleep, lidOf: deps.lidOf }),
    profile: new BaileysProfileActions(instanceName, socket, pictureBytes),
    privacy: new BaileysPrivacyActions(instanceName, socket),
    groups: new BaileysGroupActions(instanceName, socket, groupCache, pictureBytes),
    labels: new BaileysLabelActions(instanceName, socket),
    groupCache,
    numbers,
  };
}

/** Exposes the feature sets on a connection (and its read receipts as `markRead`). */
export function attachFeatures(connection: ChannelConnection, features: BaileysFeatures): void {
  connection.chats = features.chats;
  connection.profile = features.profile;
  connection.privacy = features.privacy;
  connection.groups = features.groups;
  connection.labels = features.labels;
  connection.markRead = (keys) => features.chats.markRead(keys);
}
