// The `data` of lifecycle events, in the wire format. Implemented in src/wire/event-data.ts and injected, so core
// emits events without knowing Evolution's field names.
import type { ConnectionState, Instance } from '../domain/instance.js';

export interface ConnectionUpdate {
  state: ConnectionState | 'refused';
  statusReason?: number;
}

export interface LifecycleEventData {
  instanceCreate(instance: Instance): unknown;
  instanceDelete(instance: Instance): unknown;
  connectionUpdate(instance: Instance, update: ConnectionUpdate): unknown;
  statusInstance(instance: Instance): unknown;
  applicationStartup(info: { serverName: string; version: string }): unknown;
}
