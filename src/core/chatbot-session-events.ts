// The events a chatbot session change emits: Parley's CHATBOT_SESSION_UPDATE for every provider (opt-in, see
// domain/events.ts), and Evolution's TYPEBOT_CHANGE_STATUS for Typebot sessions.
import type { NewEvent } from '../domain/events.js';
import type { ChatbotEventData, SessionChange } from '../ports/chatbots.js';

export interface EventInstance {
  id: string;
  name: string;
  ownerJid: string | null;
}

export function sessionChangeEvents(instance: EventInstance, change: SessionChange, data: ChatbotEventData): NewEvent[] {
  const base = { instanceId: instance.id, instanceName: instance.name, sender: instance.ownerJid, chatKey: change.remoteJid };
  const events: NewEvent[] = [{ ...base, event: 'CHATBOT_SESSION_UPDATE', data: data.sessionUpdate(change) }];
  if (change.provider === 'typebot' && change.reason !== 'started') {
    events.push({ ...base, event: 'TYPEBOT_CHANGE_STATUS', data: data.typebotChangeStatus(change) });
  }
  return events;
}
