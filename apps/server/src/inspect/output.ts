import { once } from "node:events";

/**
 * Writes to stdout with back-pressure: a snapshot of millions of znodes prints gigabytes, which
 * must not pile up in memory. Ends quietly when the reader goes away (`| head`).
 */
export class Output {
  private closed = false;

  constructor(private readonly stream: NodeJS.WritableStream = process.stdout) {
    stream.on("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "EPIPE") this.closed = true;
      else throw err;
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  async write(text: string): Promise<void> {
    if (this.closed) return;
    // A reader that goes away while output waits for room ends the wait with an EPIPE error.
    if (!this.stream.write(text)) await once(this.stream, "drain").catch(() => (this.closed = true));
  }
}

/** JSON.stringify that writes 64-bit values (bigint) as decimal strings, as statJson does. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
}

/** Data as UTF-8 text when it decodes cleanly to printable text, otherwise as base64. */
export function dataJson(data: Uint8Array | null): { text: string } | { base64: string } | null {
  if (data === null) return null;
  const bytes = Buffer.from(data);
  const text = bytes.toString("utf8");
  // eslint-disable-next-line no-control-regex
  const printable = !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffd]/.test(text);
  return printable && Buffer.from(text, "utf8").equals(bytes) ? { text } : { base64: bytes.toString("base64") };
}
