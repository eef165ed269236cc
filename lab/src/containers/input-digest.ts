import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";

/**
 * A digest of everything an image is made of, which names the image: the same inputs give the
 * same tag, so an image already in the engine is reused and any changed input makes a new one.
 * The repository's files count by content (a rebuild that rewrites identical output changes
 * nothing); system files installed by the package manager count by path, size and mtime, which
 * change on every upgrade and are quick to read for a JVM's few hundred megabytes.
 */
export class InputDigest {
  private readonly hash = createHash("sha256");

  text(label: string, value: string): this {
    this.hash.update(`${label}\0${value.length}\0${value}\0`);
    return this;
  }

  async fileContent(path: string, label: string = path): Promise<this> {
    const content = createHash("sha256");
    for await (const chunk of createReadStream(path)) content.update(chunk as Buffer);
    this.text(`content:${label}`, content.digest("hex"));
    return this;
  }

  async fileIdentity(path: string): Promise<this> {
    const s = await stat(path);
    this.text(`identity:${path}`, `${s.size}:${Math.trunc(s.mtimeMs)}`);
    return this;
  }

  /** The first `length` hex digits: short enough for a tag, long enough never to collide here. */
  hex(length = 16): string {
    return this.hash.copy().digest("hex").substring(0, length);
  }
}
