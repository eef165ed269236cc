/**
 * A minimal DER reader for the key and trust store formats (PKCS#12, certificate names): each
 * element is a tag, a length and its content, read with every bound checked, since store files
 * come from outside and a truncated one must fail with a message, not read past its end.
 */
export interface DerElement {
  readonly tag: number;
  /** The content octets. */
  readonly content: Buffer;
  /** The whole element: tag, length and content (a certificate's DER, a Name to hash). */
  readonly encoded: Buffer;
}

export class DerError extends Error {}

export const DerTag = {
  integer: 0x02,
  octetString: 0x04,
  oid: 0x06,
  sequence: 0x30,
  set: 0x31,
  contextConstructed0: 0xa0,
} as const;

/** Reads the element at `offset`; returns it and the offset after it. */
export function readElement(buf: Buffer, offset = 0): { element: DerElement; next: number } {
  if (offset + 2 > buf.length) throw new DerError("truncated DER element");
  const tag = buf[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError("multi-byte DER tags are not used by these formats");
  let length = buf[offset + 1]!;
  let cursor = offset + 2;
  if (length & 0x80) {
    const octets = length & 0x7f;
    // Four length octets already allow 4 GiB, far beyond any store file.
    if (octets === 0 || octets > 4) throw new DerError("unsupported DER length encoding");
    if (cursor + octets > buf.length) throw new DerError("truncated DER length");
    length = 0;
    for (let i = 0; i < octets; i++) length = length * 256 + buf[cursor + i]!;
    cursor += octets;
  }
  const end = cursor + length;
  if (end > buf.length) throw new DerError("DER element longer than its container");
  return { element: { tag, content: buf.subarray(cursor, end), encoded: buf.subarray(offset, end) }, next: end };
}

/** The elements a constructed element (SEQUENCE, SET, [n]) holds, in order. */
export function children(element: DerElement): DerElement[] {
  const out: DerElement[] = [];
  let offset = 0;
  while (offset < element.content.length) {
    const { element: child, next } = readElement(element.content, offset);
    out.push(child);
    offset = next;
  }
  return out;
}

/** Reads one element that must fill `buf` and carry `tag`. */
export function parseOne(buf: Buffer, tag: number, what: string): DerElement {
  const { element, next } = readElement(buf, 0);
  if (element.tag !== tag) throw new DerError(`${what}: expected tag 0x${tag.toString(16)}, got 0x${element.tag.toString(16)}`);
  if (next !== buf.length) throw new DerError(`${what}: trailing bytes`);
  return element;
}

export function expectTag(element: DerElement | undefined, tag: number, what: string): DerElement {
  if (element === undefined) throw new DerError(`${what}: missing`);
  if (element.tag !== tag) throw new DerError(`${what}: expected tag 0x${tag.toString(16)}, got 0x${element.tag.toString(16)}`);
  return element;
}

/** Dotted form of an OBJECT IDENTIFIER's content. */
export function oidText(content: Buffer): string {
  if (content.length === 0) throw new DerError("empty OID");
  const parts: number[] = [];
  let value = 0;
  for (const byte of content) {
    value = value * 128 + (byte & 0x7f);
    if ((byte & 0x80) === 0) {
      parts.push(value);
      value = 0;
    }
  }
  const first = parts.shift()!;
  const head = first < 40 ? [0, first] : first < 80 ? [1, first - 40] : [2, first - 80];
  return [...head, ...parts].join(".");
}

/** A non-negative INTEGER's value (iteration counts, versions). */
export function integerValue(element: DerElement): number {
  if (element.tag !== DerTag.integer || element.content.length === 0 || element.content.length > 6) {
    throw new DerError("expected a small INTEGER");
  }
  let value = 0;
  for (const byte of element.content) value = value * 256 + byte;
  return value;
}

/** PEM text of DER bytes. */
export function pem(label: string, der: Buffer): string {
  const body = der
    .toString("base64")
    .replace(/(.{64})/g, "$1\n")
    .replace(/\n$/, "");
  return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
}
