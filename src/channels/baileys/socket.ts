// The part of Baileys' socket the WHATSAPP-BAILEYS channel uses. Everything in the channel talks to this type, not to
// `WASocket`, so tests can install a fake socket (test/fakes/fake-baileys-socket.ts) that is type-checked against the
// installed Baileys: an upgrade that changes a signature used here breaks the build, not production.
import type { BinaryNode, UserFacingSocketConfig, WASocket } from 'baileys';

/** Socket functions the channel calls (connection, sending, chats, profile, privacy, groups). */
export type BaileysSocketFunctions = Pick<
  WASocket,
  | 'ev'
  | 'user'
  | 'authState'
  | 'end'
  | 'logout'
  | 'query'
  | 'requestPairingCode'
  | 'sendMessage'
  | 'sendPresenceUpdate'
  | 'presenceSubscribe'
  | 'readMessages'
  | 'rejectCall'
  | 'onWhatsApp'
  | 'chatModify'
  | 'updateBlockStatus'
  | 'fetchBlocklist'
  | 'profilePictureUrl'
  | 'fetchStatus'
  | 'getBusinessProfile'
  | 'updateProfileName'
  | 'updateProfileStatus'
  | 'updateProfilePicture'
  | 'removeProfilePicture'
  | 'fetchPrivacySettings'
  | 'updateLastSeenPrivacy'
  | 'updateOnlinePrivacy'
  | 'updateProfilePicturePrivacy'
  | 'updateStatusPrivacy'
  | 'updateReadReceiptsPrivacy'
  | 'updateGroupsAddPrivacy'
  | 'updateCallPrivacy'
  | 'updateMessagesPrivacy'
  | 'updateDefaultDisappearingMode'
  | 'addChatLabel'
  | 'removeChatLabel'
  | 'groupMetadata'
  | 'groupCreate'
  | 'groupLeave'
  | 'groupUpdateSubject'
  | 'groupUpdateDescription'
  | 'groupRequestParticipantsList'
  | 'groupRequestParticipantsUpdate'
  | 'groupParticipantsUpdate'
  | 'groupInviteCode'
  | 'groupRevokeInvite'
  | 'groupAcceptInvite'
  | 'groupGetInviteInfo'
  | 'groupToggleEphemeral'
  | 'groupSettingUpdate'
  | 'groupMemberAddMode'
  | 'groupJoinApprovalMode'
  | 'groupFetchAllParticipating'
  | 'updateMediaMessage'
>;

/** Baileys' LID ↔ phone-number store on the socket (the class has private members, so only its methods are named). */
export type BaileysLidMapping = Pick<WASocket['signalRepository']['lidMapping'], 'getLIDForPN' | 'getLIDsForPNs' | 'getPNForLID' | 'getPNsForLIDs' | 'storeLIDPNMappings'>;

/** The raw websocket: the watchdog listens to its decoded `frame`s (every stanza the server sends). */
export interface BaileysWebSocket {
  readonly isOpen: boolean;
  on(event: 'frame', listener: (frame: BinaryNode) => void): unknown;
  off(event: 'frame', listener: (frame: BinaryNode) => void): unknown;
}

export type BaileysSocket = BaileysSocketFunctions & {
  signalRepository: { lidMapping: BaileysLidMapping };
  ws: BaileysWebSocket;
};

/** Creates a socket; Baileys' `makeWASocket` by default, a fake in tests. */
export type MakeSocket = (config: UserFacingSocketConfig) => BaileysSocket;

/** The status code Baileys put on a disconnect (a Boom's `output.statusCode`), if any. */
export function disconnectCode(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const output = (error as { output?: { statusCode?: unknown } }).output;
  return typeof output?.statusCode === 'number' ? output.statusCode : undefined;
}
