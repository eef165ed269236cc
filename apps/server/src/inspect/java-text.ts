import type { ACL } from "@zkts/jute";

/**
 * Text renderings that match what ZooKeeper's own tools print (SnapshotFormatter,
 * TxnLogToolkit), so an operator can compare outputs line by line and scripts written for the
 * Java tools keep working.
 */

/** Java's String.format("%#016x"): "0x" and at least 14 hex digits, the long read as unsigned. */
export function hexPadded(value: bigint): string {
  return `0x${BigInt.asUintN(64, value).toString(16).padStart(14, "0")}`;
}

/** Java's Long.toHexString with a "0x" prefix: two's complement for negative values. */
export function hexLong(value: bigint | number): string {
  return `0x${BigInt.asUintN(64, BigInt(value)).toString(16)}`;
}

/** Integer.toHexString for a 32-bit value with a "0x" prefix. */
export function hexInt(value: number): string {
  return `0x${(value >>> 0).toString(16)}`;
}

function parts(format: Intl.DateTimeFormat, ms: number): Record<string, string> {
  return Object.fromEntries(format.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
}

const DATE_TO_STRING = new Intl.DateTimeFormat("en-US", {
  weekday: "short",
  month: "short",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hourCycle: "h23",
  year: "numeric",
  timeZoneName: "short",
});

/** java.util.Date#toString in the local time zone: "Sat Dec 05 15:59:20 UTC 2026". */
export function javaDateString(ms: number): string {
  const p = parts(DATE_TO_STRING, ms);
  return `${p.weekday} ${p.month} ${p.day} ${p.hour}:${p.minute}:${p.second} ${p.timeZoneName} ${p.year}`;
}

const SHORT_DATE_LONG_TIME = new Intl.DateTimeFormat("en-US", { dateStyle: "short", timeStyle: "long" });

/**
 * DateFormat.getDateTimeInstance(SHORT, LONG) in the en-US locale: "12/5/26, 3:59:20 PM UTC".
 * Recent ICU puts a narrow no-break space before AM/PM; Java 17 a plain space.
 */
export function javaShortDateLongTime(ms: number): string {
  return SHORT_DATE_LONG_TIME.format(new Date(ms)).replace(/\u202f/g, " ");
}

/**
 * Jute's CSV rendering (CsvOutputArchive), which every Java record's toString uses: strings
 * start with a quote and escape the characters that would break the CSV, buffers are "#" and
 * the bytes as Integer.toHexString prints them (sign-extended), nested records are s{...},
 * vectors v{...}, and a top-level record ends with a newline.
 */
export class JuteCsv {
  private text = "";
  private first = true;

  private field(value: string): this {
    if (!this.first) this.text += ",";
    this.text += value;
    this.first = false;
    return this;
  }

  int(value: number | bigint): this {
    return this.field(String(value));
  }

  bool(value: boolean): this {
    return this.field(value ? "T" : "F");
  }

  string(value: string): this {
    return this.field(`'${escapeCsv(value)}`);
  }

  buffer(value: Uint8Array | null): this {
    if (value === null || value.length === 0) return this.field("");
    let hex = "#";
    for (const byte of value) hex += (((byte << 24) >> 24) >>> 0).toString(16);
    return this.field(hex);
  }

  startRecord(): this {
    this.field("s{");
    this.first = true;
    return this;
  }

  endRecord(): this {
    this.text += "}";
    this.first = false;
    return this;
  }

  startVector(): this {
    this.field("v{");
    this.first = true;
    return this;
  }

  endVector(): this {
    this.text += "}";
    this.first = false;
    return this;
  }

  acl(acl: ACL): this {
    return this.startRecord()
      .int(acl.perms)
      .startRecord()
      .string(acl.id.scheme ?? "")
      .string(acl.id.id ?? "")
      .endRecord()
      .endRecord();
  }

  /** A top-level record's text: its fields and the trailing newline. */
  toRecordString(): string {
    return `${this.text}\n`;
  }
}

function escapeCsv(s: string): string {
  return s.replace(/[\0\n\r,}%]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`);
}

/** An ACL as Java's ACL#toString renders it (a top-level record, so it ends with a newline). */
export function aclRecordString(acl: ACL): string {
  return new JuteCsv()
    .int(acl.perms)
    .startRecord()
    .string(acl.id.scheme ?? "")
    .string(acl.id.id ?? "")
    .endRecord()
    .toRecordString();
}

/** A java.util.List of ACLs printed with its toString: "[a, b]" where each element ends with "\n". */
export function aclListString(acls: readonly ACL[]): string {
  return `[${acls.map(aclRecordString).join(", ")}]`;
}

/** new String(bytes, UTF_8), or "" for null, as TxnLogToolkit shows node data. */
export function dataAsText(data: Uint8Array | null): string {
  return data === null ? "" : Buffer.from(data).toString("utf8");
}
