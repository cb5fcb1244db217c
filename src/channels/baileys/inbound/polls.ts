// Poll votes. WhatsApp encrypts each vote with the poll's `messageSecret` and names options by their SHA-256; the
// vote arrives as a `pollUpdateMessage` upsert, so it is decrypted here with the stored poll (Baileys' own
// `decryptPollVote`) and reported as the voter's current option names.
import { createHash } from 'node:crypto';
import { decryptPollVote, getKeyAuthor, jidNormalizedUser, type proto, type WAMessage, type WAMessageKey } from 'baileys';
import { pollOptions, type ChannelReport } from '../../../domain/channel-report.js';
import type { StoredMessage } from '../../../ports/messages.js';
import { bytesFrom, mapKey, seconds } from './message-mapping.js';

type PollVote = Extract<ChannelReport, { kind: 'pollVote' }>;

/** Option names whose SHA-256 is among the selected hashes. */
export function selectedOptionNames(poll: StoredMessage, selected: (Uint8Array | null | undefined)[]): string[] {
  const wanted = new Set(selected.filter((h) => h != null).map((h) => Buffer.from(h).toString('hex')));
  return pollOptions(poll.message).filter((name) => wanted.has(createHash('sha256').update(name).digest('hex')));
}

/** The voter of a vote message, as WhatsApp signs it (own votes are by our own JID). */
function author(key: WAMessageKey | null | undefined, meId: string): string {
  return getKeyAuthor(key, jidNormalizedUser(meId));
}

/**
 * Decrypts a `pollUpdateMessage` against its stored poll. Undefined when the poll has no secret (not created on a
 * device we saw) or the vote does not decrypt.
 */
export function decryptVote(voteMessage: WAMessage, update: proto.Message.IPollUpdateMessage, poll: StoredMessage, meId: string): PollVote | undefined {
  const creationKey = update.pollCreationMessageKey;
  const pollKey = mapKey(creationKey);
  const secret = bytesFrom((poll.message.messageContextInfo as { messageSecret?: unknown } | undefined)?.messageSecret);
  if (pollKey === undefined || secret === undefined || !update.vote?.encPayload || !update.vote.encIv) return undefined;
  const voter = author(voteMessage.key, meId);
  try {
    const decrypted = decryptPollVote(update.vote, { pollCreatorJid: author(creationKey, meId), pollMsgId: pollKey.id, pollEncKey: secret, voterJid: voter });
    return { kind: 'pollVote', pollKey, voter, options: selectedOptionNames(poll, decrypted.selectedOptions ?? []), timestampMs: seconds(update.senderTimestampMs) };
  } catch {
    return undefined;
  }
}

/** Already decrypted votes (`messages.update` with `pollUpdates`). */
export function votesFromUpdates(pollKey: PollVote['pollKey'], poll: StoredMessage, updates: proto.IPollUpdate[], meId: string): PollVote[] {
  return updates.map((u) => ({
    kind: 'pollVote',
    pollKey,
    voter: author(u.pollUpdateMessageKey, meId),
    options: selectedOptionNames(poll, u.vote?.selectedOptions ?? []),
    timestampMs: seconds(u.senderTimestampMs),
  }));
}
