// `/settings/*` and the settings fields of `/instance/create`.
import { z } from 'zod';
import type { InstanceSettings } from '../domain/instance.js';
import type { StoredRow } from '../ports/store.js';
import { iso } from './common.js';

export const settingsSetBody = z.object({
  rejectCall: z.boolean(),
  msgCall: z.string().optional(),
  groupsIgnore: z.boolean(),
  alwaysOnline: z.boolean(),
  readMessages: z.boolean(),
  readStatus: z.boolean(),
  syncFullHistory: z.boolean(),
  wavoipToken: z.string().optional(),
});

export function settingsFromBody(body: z.output<typeof settingsSetBody>): InstanceSettings {
  return { ...body, msgCall: body.msgCall ?? '', wavoipToken: body.wavoipToken ?? '' };
}

export function settingsValues(s: InstanceSettings): InstanceSettings {
  return {
    rejectCall: s.rejectCall,
    msgCall: s.msgCall,
    groupsIgnore: s.groupsIgnore,
    alwaysOnline: s.alwaysOnline,
    readMessages: s.readMessages,
    readStatus: s.readStatus,
    syncFullHistory: s.syncFullHistory,
    wavoipToken: s.wavoipToken,
  };
}

export function settingsSetResponse(instanceName: string, s: InstanceSettings) {
  return { settings: { instanceName, settings: settingsValues(s) } };
}

/** The stored `Setting` row as `fetchInstances` shows it. */
export function settingsRow(s: StoredRow<InstanceSettings>) {
  return { id: s.id, ...settingsValues(s), createdAt: iso(s.createdAt), updatedAt: iso(s.updatedAt), instanceId: s.instanceId };
}
