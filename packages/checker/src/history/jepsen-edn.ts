// Jepsen histories as EDN: one op map per line (history.edn, the kv corpus), or one vector of
// maps. Events from non-client processes (the nemesis) are left out.
import { readEdnAll, type EdnValue } from "./edn.js";
import { HistoryError, type EventType, type HistoryEvent } from "./types.js";

export interface JepsenEdnOptions {
  /** jepsen.independent histories carry [key value] tuples as their value: split them. */
  independent?: boolean;
}

const TYPES = new Set<string>(["invoke", "ok", "fail", "info"]);

export function parseJepsenEdn(text: string, options: JepsenEdnOptions = {}): HistoryEvent[] {
  const forms = readEdnAll(text);
  const maps = forms.length === 1 && Array.isArray(forms[0]) ? forms[0] : forms;
  const events: HistoryEvent[] = [];
  for (const form of maps) {
    const event = toEvent(form, options);
    if (event) events.push(event);
  }
  return events;
}

function toEvent(form: EdnValue, options: JepsenEdnOptions): HistoryEvent | undefined {
  if (form === null || typeof form !== "object" || Array.isArray(form)) {
    throw new HistoryError(`Jepsen EDN: expected an op map, got ${JSON.stringify(form)}`);
  }
  const { process, type, f } = form;
  if (typeof process !== "number") return undefined;
  if (typeof type !== "string" || !TYPES.has(type)) return undefined;
  const event: HistoryEvent = { process, type: type as EventType, f: String(f), value: form.value ?? null };
  if (typeof form.time === "number") event.time = form.time;
  if (form.key !== undefined && form.key !== null) event.key = String(form.key);
  if (options.independent && Array.isArray(event.value) && event.value.length === 2) {
    event.key = String(event.value[0]);
    event.value = event.value[1] ?? null;
  }
  if (form.error !== undefined) event.metadata = { error: form.error };
  return event;
}
