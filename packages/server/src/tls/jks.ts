import { createHash, createPrivateKey, timingSafeEqual, type KeyObject } from "node:crypto";
import { DerError, DerTag, children, expectTag, oidText, parseOne } from "./der.js";

/**
 * Java's own key store format (JKS), as keytool writes it: the integrity digest is checked with
 * the store password, private keys are opened with Sun's key protection (a SHA-1 keystream),
 * and certificates are plain DER. JCEKS stores are refused by name.
 */
export interface JksContents {
  keys: KeyObject[];
  /** DER certificates: each key's chain, then trusted entries, in file order. */
  certificates: Buffer[];
}

const JKS_MAGIC = 0xfeedfeed;
const JCEKS_MAGIC = 0xcececece;
const SUN_KEY_PROTECTION_OID = "1.3.6.1.4.1.42.2.17.1.1";
const DIGEST_BYTES = 20;

export class JksPasswordError extends Error {}

export function readJks(file: Buffer, password: string): JksContents {
  const r = new Cursor(file);
  const magic = r.u32();
  if (magic === JCEKS_MAGIC) throw new DerError("JCEKS stores are not read; convert the store to PKCS12 or PEM");
  if (magic !== JKS_MAGIC) throw new DerError("not a JKS store");
  const version = r.u32();
  if (version !== 1 && version !== 2) throw new DerError(`unsupported JKS version ${version}`);
  const count = r.u32();
  const passwordBytes = utf16be(password);
  const out: JksContents = { keys: [], certificates: [] };
  const encryptedKeys: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const tag = r.u32();
    r.utf(); // alias
    r.skip(8); // creation time
    if (tag === 1) {
      encryptedKeys.push(r.bytes(r.u32()));
      const chain = r.u32();
      for (let c = 0; c < chain; c++) out.certificates.push(readCertificate(r, version));
    } else if (tag === 2) {
      out.certificates.push(readCertificate(r, version));
    } else {
      throw new DerError(`unknown JKS entry type ${tag}`);
    }
  }
  const digestedLength = r.offset;
  const expected = r.bytes(DIGEST_BYTES);
  const actual = createHash("sha1").update(passwordBytes).update("Mighty Aphrodite", "utf8").update(file.subarray(0, digestedLength)).digest();
  if (!timingSafeEqual(actual, expected)) throw new JksPasswordError("the password is wrong or the store is damaged (its digest does not verify)");
  for (const encrypted of encryptedKeys) out.keys.push(openKey(encrypted, passwordBytes));
  return out;
}

function readCertificate(r: Cursor, version: number): Buffer {
  if (version === 2) {
    const type = r.utf();
    if (type !== "X.509") throw new DerError(`unsupported certificate type ${type}`);
  }
  return r.bytes(r.u32());
}

/** Sun's KeyProtector: salt, key XOR a SHA-1 keystream of (password, salt), SHA-1 check. */
function openKey(encryptedPrivateKeyInfo: Buffer, passwordBytes: Buffer): KeyObject {
  const [algorithm, data] = children(parseOne(encryptedPrivateKeyInfo, DerTag.sequence, "JKS key entry"));
  const oid = oidText(expectTag(children(expectTag(algorithm, DerTag.sequence, "key algorithm"))[0], DerTag.oid, "key algorithm").content);
  if (oid !== SUN_KEY_PROTECTION_OID) throw new DerError(`unsupported JKS key protection ${oid}`);
  const protectedKey = expectTag(data, DerTag.octetString, "protected key").content;
  if (protectedKey.length < 2 * DIGEST_BYTES) throw new DerError("protected key too short");
  const salt = protectedKey.subarray(0, DIGEST_BYTES);
  const encrypted = protectedKey.subarray(DIGEST_BYTES, protectedKey.length - DIGEST_BYTES);
  const check = protectedKey.subarray(protectedKey.length - DIGEST_BYTES);
  const plain = Buffer.alloc(encrypted.length);
  let digest: Buffer = salt;
  for (let offset = 0; offset < encrypted.length; offset += DIGEST_BYTES) {
    digest = createHash("sha1").update(passwordBytes).update(digest).digest();
    for (let i = 0; i < DIGEST_BYTES && offset + i < encrypted.length; i++) plain[offset + i] = encrypted[offset + i]! ^ digest[i]!;
  }
  const actual = createHash("sha1").update(passwordBytes).update(plain).digest();
  if (!timingSafeEqual(actual, check)) throw new JksPasswordError("the key's password is wrong (ZooKeeper expects the store password)");
  return createPrivateKey({ key: plain, format: "der", type: "pkcs8" });
}

function utf16be(text: string): Buffer {
  const out = Buffer.alloc(text.length * 2);
  for (let i = 0; i < text.length; i++) out.writeUInt16BE(text.charCodeAt(i), i * 2);
  return out;
}

/** Big-endian reads with bounds checks (a truncated store fails by name). */
class Cursor {
  offset = 0;
  constructor(private readonly buf: Buffer) {}
  private need(n: number): void {
    if (this.offset + n > this.buf.length) throw new DerError("truncated JKS store");
  }
  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.offset);
    this.offset += 4;
    return v;
  }
  skip(n: number): void {
    this.need(n);
    this.offset += n;
  }
  bytes(n: number): Buffer {
    this.need(n);
    const v = this.buf.subarray(this.offset, this.offset + n);
    this.offset += n;
    return v;
  }
  /** Java's writeUTF: a 16-bit length, then modified UTF-8 (aliases are plain text in practice). */
  utf(): string {
    this.need(2);
    const n = this.buf.readUInt16BE(this.offset);
    this.offset += 2;
    return this.bytes(n).toString("utf8");
  }
}
