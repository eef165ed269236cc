import { API_ERRORS } from "./api-error.js";
import { fieldsOf, optionalNumber, optionalString } from "./json-body.js";
import { toxicKind } from "./toxics/registry.js";
import type { ToxicAttributes } from "./toxics/types.js";

/** upstream = client to server, downstream = server to client. */
export type ToxicStream = "upstream" | "downstream";
export const STREAMS: readonly ToxicStream[] = ["upstream", "downstream"];

/** A toxic as the API shows it (field order as upstream's JSON). */
export interface ToxicSpec {
  readonly attributes: ToxicAttributes;
  readonly name: string;
  readonly type: string;
  readonly stream: ToxicStream;
  /** Chance that the toxic acts on a given connection, rolled per connection. */
  readonly toxicity: number;
}

/** A new toxic from a POST body: stream defaults to downstream, toxicity to 1, name to type_stream. */
export function parseNewToxic(body: unknown): ToxicSpec {
  const fields = fieldsOf(body, "a toxic");
  const streamText = (optionalString(fields, "stream") ?? "downstream").toLowerCase();
  if (streamText !== "upstream" && streamText !== "downstream") throw API_ERRORS.invalidStream;
  const type = optionalString(fields, "type") ?? "";
  const name = optionalString(fields, "name") || `${type}_${streamText}`;
  const kind = toxicKind(type);
  if (kind === undefined) throw API_ERRORS.invalidToxicType;
  const zero: Record<string, number> = Object.fromEntries(kind.attributeNames.map((attribute) => [attribute, 0]));
  return {
    attributes: mergeAttributes(zero, fields.attributes),
    name,
    type,
    stream: streamText,
    toxicity: optionalNumber(fields, "toxicity") ?? 1,
  };
}

/** An updated toxic: attributes given replace those held, the rest stay; so does toxicity. */
export function applyToxicUpdate(current: ToxicSpec, body: unknown): ToxicSpec {
  const fields = fieldsOf(body, "a toxic");
  return {
    ...current,
    attributes: mergeAttributes(current.attributes, fields.attributes),
    toxicity: optionalNumber(fields, "toxicity") ?? current.toxicity,
  };
}

/** The type's attributes are integers (Go int fields); others in the body are ignored, as Go does. */
function mergeAttributes(current: ToxicAttributes, given: unknown): ToxicAttributes {
  if (given === undefined || given === null) return current;
  const fields = fieldsOf(given, "attributes");
  const merged: Record<string, number> = { ...current };
  for (const name of Object.keys(current)) {
    const value = fields[name];
    if (value === undefined || value === null) continue;
    if (typeof value !== "number" || !Number.isSafeInteger(value)) {
      throw API_ERRORS.badRequestBody.with(`attribute ${name} must be an integer`);
    }
    merged[name] = value;
  }
  return merged;
}
