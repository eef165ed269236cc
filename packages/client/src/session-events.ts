import type { ConnectionStateEvent } from "./connection-state.js";
import type { SessionEvent as RawSessionEvent } from "./core/connection-core.js";

/** The raw session events of the connection core, plus the derived connection `state` event. */
export type SessionEvent = RawSessionEvent | ConnectionStateEvent;
export type SessionEventName = SessionEvent["type"];
export type SessionEventOf<K extends SessionEventName> = Extract<SessionEvent, { type: K }>;
export type SessionListener<K extends SessionEventName> = (event: SessionEventOf<K>) => void;

/** Typed listeners for session events, one set per event type. */
export class SessionEvents {
  private readonly listeners = new Map<SessionEventName, Set<(e: SessionEvent) => void>>();

  on<K extends SessionEventName>(type: K, listener: SessionListener<K>): void {
    let set = this.listeners.get(type);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(type, set);
    }
    set.add(listener as (e: SessionEvent) => void);
  }

  off<K extends SessionEventName>(type: K, listener: SessionListener<K>): void {
    this.listeners.get(type)?.delete(listener as (e: SessionEvent) => void);
  }

  once<K extends SessionEventName>(type: K): Promise<SessionEventOf<K>> {
    return new Promise((resolve) => {
      const listener = (event: SessionEventOf<K>) => {
        this.off(type, listener);
        resolve(event);
      };
      this.on(type, listener);
    });
  }

  emit(event: SessionEvent): void {
    const set = this.listeners.get(event.type);
    if (set === undefined) return;
    // A copy, so listeners may remove themselves while being called.
    for (const listener of [...set]) listener(event);
  }
}
