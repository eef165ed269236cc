import {
  type IntegerOptions,
  type SchemaOptions,
  type Static,
  type TArray,
  type TBoolean,
  type TInteger,
  type TLiteral,
  type TObject,
  type TSchema,
  type TString,
  type TUnion,
  Kind,
  Type,
} from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { ConfigError } from "./config-error.js";
import { booleanValue, integerValue } from "./config-values.js";

/**
 * The building blocks of the zoo.cfg key schemas (zoo-cfg-integers.ts, tls-cfg-schema.ts,
 * sasl-cfg-schema.ts, metrics-cfg-schema.ts) and the one reader that turns the strings written
 * in zoo.cfg into the values they declare. A schema names each key as zoo.cfg writes it, with
 * ZooKeeper 3.8's default; a key without a default reads as undefined when it is absent.
 */

/** A Java `int`, the type ZooKeeper parses most integer keys into. */
export const JavaInt = (options: IntegerOptions = {}): TInteger => Type.Integer({ minimum: -(2 ** 31), maximum: 2 ** 31 - 1, ...options });
/** A Java `long` (as far as a JavaScript number holds one exactly). */
export const JavaLong = (options: IntegerOptions = {}): TInteger =>
  Type.Integer({ minimum: Number.MIN_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER, ...options });
/** A port, as InetSocketAddress takes it: 0 to 65535. */
export const Port = (options: IntegerOptions & RefusalOption = {}): TInteger => JavaInt({ minimum: 0, maximum: 65535, ...options });

/** A switch, read by config-values.ts's booleanValue. */
export const Switch = (fallback: boolean, options: SchemaOptions = {}): TBoolean => Type.Boolean({ default: fallback, ...options });

/**
 * A string. With `blankIsUnset`, a value of only blanks reads as absent (the default), as zkts
 * reads names and paths; otherwise the value is kept as written (a password may be empty).
 */
export const Text = (options: SchemaOptions & { blankIsUnset?: boolean } = {}): TString => Type.String(options);

/** A comma-separated list; blanks around items and empty items are dropped, and a blank value is absent. */
export const List = (options: SchemaOptions = {}): TArray<TString> => Type.Array(Type.String(), options);

type Literals<T extends readonly string[]> = { -readonly [K in keyof T]: TLiteral<T[K] & string> };

/**
 * One of a few names. ZooKeeper reads its enumerations with `valueOf(value.toUpperCase())`, so
 * any case is accepted and read as the name declared here; a blank value is absent, as
 * ZooKeeper's fromPropertyValue reads an empty one.
 */
export function OneOf<const T extends readonly [string, ...string[]]>(values: T, options: SchemaOptions = {}): TUnion<Literals<T>> {
  return Type.Union(
    values.map((v) => Type.Literal(v)),
    options,
  ) as unknown as TUnion<Literals<T>>;
}

/**
 * Schema option: the words said instead of TypeBox's when a value is refused, as
 * `<key>: <refusal>, got "<value>"` (a port says "expected a port number (0-65535)").
 */
export interface RefusalOption {
  refusal?: string;
}

type Get = (key: string) => string | undefined;

export interface ReadOptions {
  /** Prepended to each schema key to find it in zoo.cfg (`ssl.` or `ssl.quorum.` for a TLS group). */
  prefix?: string;
  /** The key named in errors; by default the prefixed schema key. */
  nameOf?: (key: string) => string;
}

/** The values of a schema's keys, each read and checked when it is asked for. */
export type CfgValue<T extends TObject> = <K extends keyof Static<T> & string>(key: K) => Static<T>[K];

/**
 * Reads one key at a time, so a key is checked only where ZooKeeper reads it (the `ssl.*`
 * group only when TLS is on, for instance): a setting of a feature that is off refuses nothing.
 */
export function cfgValue<T extends TObject>(schema: T, get: Get, options: ReadOptions = {}): CfgValue<T> {
  return <K extends keyof Static<T> & string>(key: K): Static<T>[K] => {
    const { name, raw, value } = parseKey(schema, key, get, options);
    refuseInvalid(schema.properties[key]!, name, raw, value);
    return value as Static<T>[K];
  };
}

/** Reads every key of the schema; the first key (in schema order) whose value is refused is named. */
export function readCfgSchema<T extends TObject>(schema: T, get: Get, options: ReadOptions = {}): Static<T> {
  const read = Object.keys(schema.properties).map((key) => ({ key, ...parseKey(schema, key, get, options) }));
  for (const { key, name, raw, value } of read) refuseInvalid(schema.properties[key]!, name, raw, value);
  return Object.fromEntries(read.filter((r) => r.value !== undefined).map((r) => [r.key, r.value])) as Static<T>;
}

/** Every zoo.cfg key a schema declares, with a prefix (`ssl.quorum.`) where its keys are relative. */
export function keysOf(schema: TObject, prefix = ""): string[] {
  return Object.keys(schema.properties).map((key) => `${prefix}${key}`);
}

function parseKey(schema: TObject, key: string, get: Get, options: ReadOptions): { name: string; raw: string | undefined; value: unknown } {
  const prop = schema.properties[key];
  if (prop === undefined) throw new Error(`${key} is not declared in the schema`);
  const name = options.nameOf?.(key) ?? `${options.prefix ?? ""}${key}`;
  const raw = get(`${options.prefix ?? ""}${key}`);
  const parsed = raw === undefined ? undefined : parseValue(prop, name, raw);
  return { name, raw, value: parsed === undefined ? prop.default : parsed };
}

/** The string written in zoo.cfg as the schema's type; undefined where it reads as absent. */
function parseValue(prop: TSchema, name: string, raw: string): unknown {
  switch (prop[Kind]) {
    case "Integer":
      try {
        return integerValue(name, raw);
      } catch (err) {
        throw refusal(prop, name, raw) ?? err;
      }
    case "Boolean":
      return booleanValue(name, raw, prop.default as boolean);
    case "Union": {
      const text = raw.trim();
      if (text === "") return undefined;
      const names = (prop.anyOf as TLiteral<string>[]).map((literal) => literal.const);
      const found = names.find((n) => n.toUpperCase() === text.toUpperCase());
      if (found === undefined) throw new ConfigError(`${name}: "${raw}" is not one of ${names.join(", ")}`);
      return found;
    }
    case "Array": {
      const items = raw
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== "");
      return raw.trim() === "" ? undefined : items;
    }
    case "String":
      return prop.blankIsUnset === true ? raw.trim() || undefined : raw;
    default:
      throw new Error(`${name}: the schema declares a type the zoo.cfg reader does not know (${prop[Kind]})`);
  }
}

function refuseInvalid(prop: TSchema, name: string, raw: string | undefined, value: unknown): void {
  if (value === undefined) return;
  const error = Value.Errors(prop, value).First();
  if (error === undefined) return;
  throw refusal(prop, name, raw ?? String(value)) ?? new ConfigError(`${name}: ${error.message} (got ${JSON.stringify(value)})`);
}

function refusal(prop: TSchema & RefusalOption, name: string, raw: string): ConfigError | undefined {
  return prop.refusal === undefined ? undefined : new ConfigError(`${name}: ${prop.refusal}, got "${raw}"`);
}
