import { JuteError } from "./errors.js";
import { JuteReader } from "./reader.js";
import { JuteWriter } from "./writer.js";

/**
 * A record is declared once as an ordered list of typed fields; its TypeScript type and its
 * codec both follow from that declaration, the way zookeeper.jute is the single truth for
 * the Java classes.
 */

export type FieldKind =
  | { readonly tag: "int" }
  | { readonly tag: "long" }
  | { readonly tag: "bool" }
  | { readonly tag: "buffer" }
  | { readonly tag: "ustring"; readonly nullable: boolean }
  | { readonly tag: "vector"; readonly of: FieldKind; readonly nullable: boolean }
  | { readonly tag: "record"; readonly record: RecordCodec<any> };

export interface Field<T> {
  readonly kind: FieldKind;
  /** The fewest bytes an encoded value takes; bounds vector counts before allocating. */
  readonly sizeMin: number;
  read(reader: JuteReader): T;
  write(writer: JuteWriter, value: T): void;
}

export type FieldValue<F> = F extends Field<infer T> ? T : never;
export type Fields = Record<string, Field<any>>;
export type RecordValue<Fs extends Fields> = { [K in keyof Fs]: FieldValue<Fs[K]> };

export interface RecordCodec<T> extends Field<T> {
  readonly name: string;
  readonly fieldNames: readonly string[];
  readonly fieldsByName: Readonly<Record<string, Field<unknown>>>;
  /** Decodes a whole buffer; trailing bytes are an error. */
  decode(buf: Buffer, maxBuffer?: number): T;
  /** Encodes to a fresh buffer (tests and cold paths; hot paths write into a shared writer). */
  encode(value: T): Buffer;
}

const int: Field<number> = {
  kind: { tag: "int" },
  sizeMin: 4,
  read: (r) => r.readInt(),
  write: (w, v) => w.writeInt(v),
};

const long: Field<bigint> = {
  kind: { tag: "long" },
  sizeMin: 8,
  read: (r) => r.readLong(),
  write: (w, v) => w.writeLong(v),
};

const bool: Field<boolean> = {
  kind: { tag: "bool" },
  sizeMin: 1,
  read: (r) => r.readBool(),
  write: (w, v) => w.writeBool(v),
};

const buffer: Field<Buffer | null> = {
  kind: { tag: "buffer" },
  sizeMin: 4,
  read: (r) => r.readBuffer(),
  write: (w, v) => w.writeBuffer(v),
};

/**
 * ZooKeeper's BinaryInputArchive reads a length of −1 as a null string, buffer or vector in
 * every record. Records a server reads from clients declare their strings and vectors with
 * the `opt` constructors, so the null reaches the request processors, which decide what it
 * means op by op, as ZooKeeper's do. The plain constructors refuse −1 as corrupt input: they
 * serve records only a server writes (replies, txns, snapshots), where ZooKeeper never puts a
 * null and zkts's readers rely on a value.
 */
const ustring: Field<string> = {
  kind: { tag: "ustring", nullable: false },
  sizeMin: 4,
  read: (r) => r.readUstring(),
  write: (w, v) => w.writeUstring(v),
};

const optUstring: Field<string | null> = {
  kind: { tag: "ustring", nullable: true },
  sizeMin: 4,
  read: (r) => r.readOptUstring(),
  write: (w, v) => w.writeUstring(v),
};

function vector<T>(of: Field<T>): Field<T[]> {
  return {
    kind: { tag: "vector", of: of.kind, nullable: false },
    sizeMin: 4,
    read(r) {
      const count = r.readVectorCount(of.sizeMin);
      if (count < 0) throw new JuteError(`null vector at offset ${r.offset - 4}`);
      const out = new Array<T>(count);
      for (let i = 0; i < count; i++) out[i] = of.read(r);
      return out;
    },
    write(w, v) {
      w.writeInt(v.length);
      for (let i = 0; i < v.length; i++) of.write(w, v[i]!);
    },
  };
}

function optVector<T>(of: Field<T>): Field<T[] | null> {
  return {
    kind: { tag: "vector", of: of.kind, nullable: true },
    sizeMin: 4,
    read(r) {
      const count = r.readVectorCount(of.sizeMin);
      if (count < 0) return null;
      const out = new Array<T>(count);
      for (let i = 0; i < count; i++) out[i] = of.read(r);
      return out;
    },
    write(w, v) {
      if (v === null) {
        w.writeInt(-1);
        return;
      }
      w.writeInt(v.length);
      for (let i = 0; i < v.length; i++) of.write(w, v[i]!);
    },
  };
}

/** Field constructors, named after the jute types they encode. */
export const t = { int, long, bool, buffer, ustring, optUstring, vector, optVector };

export interface RecordOptions<T> {
  /**
   * Given to every value `read` decodes, as a non-enumerable property: how JSON.stringify
   * writes it (JSON has no bigint, and stringify throws on one).
   */
  toJSON?: (this: T) => unknown;
}

export function record<Fs extends Fields>(name: string, fields: Fs, options: RecordOptions<RecordValue<Fs>> = {}): RecordCodec<RecordValue<Fs>> {
  const toJSON = options.toJSON;
  const names = Object.keys(fields);
  const codecs = names.map((n) => fields[n]!);
  const count = names.length;
  let sizeMin = 0;
  for (const c of codecs) sizeMin += c.sizeMin;

  const codec: RecordCodec<RecordValue<Fs>> = {
    name,
    fieldNames: names,
    fieldsByName: fields,
    kind: undefined as unknown as FieldKind,
    sizeMin,
    read(r) {
      const out: Record<string, unknown> = {};
      for (let i = 0; i < count; i++) out[names[i]!] = codecs[i]!.read(r);
      if (toJSON !== undefined) Object.defineProperty(out, "toJSON", { value: toJSON, enumerable: false });
      return out as RecordValue<Fs>;
    },
    write(w, v) {
      const value = v as Record<string, unknown>;
      for (let i = 0; i < count; i++) codecs[i]!.write(w, value[names[i]!]);
    },
    decode(buf, maxBuffer) {
      const reader = new JuteReader(buf, 0, buf.length, maxBuffer);
      const value = codec.read(reader);
      if (reader.remaining !== 0) {
        throw new JuteError(`${reader.remaining} trailing bytes after ${name}`);
      }
      return value;
    },
    encode(v) {
      const writer = new JuteWriter(64);
      codec.write(writer, v);
      return writer.toBuffer();
    },
  };
  (codec as { kind: FieldKind }).kind = { tag: "record", record: codec };
  return codec;
}
