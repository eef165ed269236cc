/**
 * A byte builder that writes whatever it is told, lengths and counts included: the production
 * JuteWriter refuses negative lengths and oversized records, which are exactly what the fuzzer
 * needs to send.
 */
export class Bytes {
  private readonly parts: Buffer[] = [];
  private size = 0;

  raw(bytes: Buffer): this {
    this.parts.push(bytes);
    this.size += bytes.length;
    return this;
  }

  int(value: number): this {
    const b = Buffer.allocUnsafe(4);
    b.writeInt32BE(value | 0);
    return this.raw(b);
  }

  long(value: bigint): this {
    const b = Buffer.allocUnsafe(8);
    b.writeBigInt64BE(BigInt.asIntN(64, value));
    return this.raw(b);
  }

  bool(value: boolean | number): this {
    return this.raw(Buffer.from([typeof value === "number" ? value & 0xff : value ? 1 : 0]));
  }

  /** A ustring or buffer: int32 length then bytes; null is length -1. */
  str(value: string | Buffer | null): this {
    if (value === null) return this.int(-1);
    const bytes = typeof value === "string" ? Buffer.from(value, "utf8") : value;
    return this.int(bytes.length).raw(bytes);
  }

  get length(): number {
    return this.size;
  }

  build(): Buffer {
    return Buffer.concat(this.parts, this.size);
  }
}

/** A frame as the client port reads it: int32 length, then the payload. */
export function frame(payload: Buffer, declaredLength = payload.length): Buffer {
  const out = Buffer.allocUnsafe(4 + payload.length);
  out.writeInt32BE(declaredLength | 0, 0);
  payload.copy(out, 4);
  return out;
}
