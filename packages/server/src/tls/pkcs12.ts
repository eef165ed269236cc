import { createDecipheriv, createHash, createHmac, createPrivateKey, pbkdf2Sync, timingSafeEqual, type KeyObject } from "node:crypto";
import { type DerElement, DerError, DerTag, children, expectTag, integerValue, oidText, parseOne } from "./der.js";

/**
 * A PKCS#12 (.p12, .pfx) store as Java's keytool and openssl write it: the MAC is checked with
 * the password (a wrong password fails here, by name), encrypted bags are opened (PBES2 with
 * PBKDF2 and AES or 3DES, or the PKCS#12 3DES scheme), and every private key and X.509
 * certificate is returned. Node's own `pfx` option cannot be used for trust stores: it refuses
 * a store without a private key, and it would trust every certificate of a key store's chain.
 */
export interface Pkcs12Contents {
  keys: KeyObject[];
  /** DER certificates, in file order (a key's own certificate first, as keytool writes them). */
  certificates: Buffer[];
}

const OID = {
  data: "1.2.840.113549.1.7.1",
  encryptedData: "1.2.840.113549.1.7.6",
  keyBag: "1.2.840.113549.1.12.10.1.1",
  shroudedKeyBag: "1.2.840.113549.1.12.10.1.2",
  certBag: "1.2.840.113549.1.12.10.1.3",
  x509Certificate: "1.2.840.113549.1.9.22.1",
  pbes2: "1.2.840.113549.1.5.13",
  pbkdf2: "1.2.840.113549.1.5.12",
  pbeSha1TripleDes: "1.2.840.113549.1.12.1.3",
} as const;

const HASHES = new Map<string, { name: string; blockBytes: number }>([
  ["1.3.14.3.2.26", { name: "sha1", blockBytes: 64 }],
  ["2.16.840.1.101.3.4.2.4", { name: "sha224", blockBytes: 64 }],
  ["2.16.840.1.101.3.4.2.1", { name: "sha256", blockBytes: 64 }],
  ["2.16.840.1.101.3.4.2.2", { name: "sha384", blockBytes: 128 }],
  ["2.16.840.1.101.3.4.2.3", { name: "sha512", blockBytes: 128 }],
]);

const HMAC_PRFS = new Map<string, string>([
  ["1.2.840.113549.2.7", "sha1"],
  ["1.2.840.113549.2.8", "sha224"],
  ["1.2.840.113549.2.9", "sha256"],
  ["1.2.840.113549.2.10", "sha384"],
  ["1.2.840.113549.2.11", "sha512"],
]);

const CIPHERS = new Map<string, { name: string; keyBytes: number }>([
  ["2.16.840.1.101.3.4.1.2", { name: "aes-128-cbc", keyBytes: 16 }],
  ["2.16.840.1.101.3.4.1.22", { name: "aes-192-cbc", keyBytes: 24 }],
  ["2.16.840.1.101.3.4.1.42", { name: "aes-256-cbc", keyBytes: 32 }],
  ["1.2.840.113549.3.7", { name: "des-ede3-cbc", keyBytes: 24 }],
]);

export function readPkcs12(file: Buffer, password: string): Pkcs12Contents {
  const pfx = children(parseOne(file, DerTag.sequence, "PKCS#12 store"));
  if (integerValue(expectTag(pfx[0], DerTag.integer, "PFX version")) !== 3) throw new DerError("not a PKCS#12 version 3 store");
  const authSafe = dataContent(expectTag(pfx[1], DerTag.sequence, "PFX authSafe"));
  if (pfx[2] !== undefined) checkMac(pfx[2], authSafe, password);
  const out: Pkcs12Contents = { keys: [], certificates: [] };
  for (const info of children(parseOne(authSafe, DerTag.sequence, "AuthenticatedSafe"))) {
    const type = oidText(expectTag(children(info)[0], DerTag.oid, "ContentInfo type").content);
    const safeContents = type === OID.data ? dataContent(info) : type === OID.encryptedData ? decryptContent(info, password) : null;
    if (safeContents === null) throw new DerError(`unsupported PKCS#12 content type ${type}`);
    for (const bag of children(parseOne(safeContents, DerTag.sequence, "SafeContents"))) readBag(bag, password, out);
  }
  return out;
}

/** The octets of a ContentInfo of type data: [0] EXPLICIT OCTET STRING (possibly in pieces). */
function dataContent(info: DerElement): Buffer {
  const explicit = expectTag(children(info)[1], DerTag.contextConstructed0, "ContentInfo content");
  return octets(children(explicit)[0], "ContentInfo data");
}

/** An OCTET STRING, primitive or (BER-style) constructed from pieces. */
function octets(element: DerElement | undefined, what: string): Buffer {
  if (element?.tag === DerTag.octetString || element?.tag === 0x80) return element.content;
  if (element?.tag === 0x24 || element?.tag === DerTag.contextConstructed0) {
    return Buffer.concat(children(element).map((piece) => octets(piece, what)));
  }
  throw new DerError(`${what}: expected an OCTET STRING`);
}

function readBag(bag: DerElement, password: string, out: Pkcs12Contents): void {
  const [idElement, valueElement] = children(bag);
  const id = oidText(expectTag(idElement, DerTag.oid, "SafeBag id").content);
  const value = children(expectTag(valueElement, DerTag.contextConstructed0, "SafeBag value"))[0];
  if (value === undefined) throw new DerError("SafeBag without a value");
  if (id === OID.certBag) {
    const [certId, certValue] = children(value);
    if (oidText(expectTag(certId, DerTag.oid, "CertBag id").content) !== OID.x509Certificate) return;
    out.certificates.push(octets(children(expectTag(certValue, DerTag.contextConstructed0, "CertBag value"))[0], "certificate"));
  } else if (id === OID.shroudedKeyBag) {
    // An EncryptedPrivateKeyInfo, which OpenSSL opens itself (PBES2 and the PKCS#12 schemes).
    out.keys.push(createPrivateKey({ key: value.encoded, format: "der", type: "pkcs8", passphrase: password }));
  } else if (id === OID.keyBag) {
    out.keys.push(createPrivateKey({ key: value.encoded, format: "der", type: "pkcs8" }));
  }
  // CRL, secret and nested bags carry nothing a TLS context uses.
}

function checkMac(macData: DerElement, authSafe: Buffer, password: string): void {
  const [digestInfo, saltElement, iterationsElement] = children(macData);
  const [algorithm, digest] = children(expectTag(digestInfo, DerTag.sequence, "MAC DigestInfo"));
  const hashOid = oidText(expectTag(children(expectTag(algorithm, DerTag.sequence, "MAC algorithm"))[0], DerTag.oid, "MAC hash").content);
  const hash = HASHES.get(hashOid);
  if (hash === undefined) throw new DerError(`unsupported PKCS#12 MAC hash ${hashOid}`);
  const salt = expectTag(saltElement, DerTag.octetString, "MAC salt").content;
  const iterations = iterationsElement === undefined ? 1 : integerValue(iterationsElement);
  const expected = expectTag(digest, DerTag.octetString, "MAC digest").content;
  const macKey = pkcs12Kdf(hash, bmpPassword(password), salt, iterations, 3, expected.length);
  const actual = createHmac(hash.name, macKey).update(authSafe).digest();
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
    throw new Pkcs12PasswordError("the password is wrong or the store is damaged (its MAC does not verify)");
  }
}

export class Pkcs12PasswordError extends Error {}

function decryptContent(info: DerElement, password: string): Buffer {
  const encryptedData = children(expectTag(children(info)[1], DerTag.contextConstructed0, "EncryptedData"))[0];
  const encryptedContentInfo = children(expectTag(encryptedData, DerTag.sequence, "EncryptedData"))[1];
  const [, algorithm, content] = children(expectTag(encryptedContentInfo, DerTag.sequence, "EncryptedContentInfo"));
  return decrypt(expectTag(algorithm, DerTag.sequence, "content encryption"), octets(content, "encrypted content"), password);
}

function decrypt(algorithm: DerElement, data: Buffer, password: string): Buffer {
  const [oidElement, params] = children(algorithm);
  const oid = oidText(expectTag(oidElement, DerTag.oid, "encryption algorithm").content);
  if (oid === OID.pbeSha1TripleDes) {
    const [saltElement, iterationsElement] = children(expectTag(params, DerTag.sequence, "PBE parameters"));
    const salt = expectTag(saltElement, DerTag.octetString, "PBE salt").content;
    const iterations = integerValue(expectTag(iterationsElement, DerTag.integer, "PBE iterations"));
    const sha1 = HASHES.get("1.3.14.3.2.26")!;
    const bmp = bmpPassword(password);
    const key = pkcs12Kdf(sha1, bmp, salt, iterations, 1, 24);
    const iv = pkcs12Kdf(sha1, bmp, salt, iterations, 2, 8);
    return decipher("des-ede3-cbc", key, iv, data);
  }
  if (oid !== OID.pbes2) throw new DerError(`unsupported PKCS#12 encryption ${oid} (PBES2 or PBE-SHA1-3DES are read)`);
  const [kdf, scheme] = children(expectTag(params, DerTag.sequence, "PBES2 parameters"));
  const [kdfOid, kdfParams] = children(expectTag(kdf, DerTag.sequence, "PBES2 key derivation"));
  if (oidText(expectTag(kdfOid, DerTag.oid, "PBES2 KDF").content) !== OID.pbkdf2) throw new DerError("PBES2 without PBKDF2");
  const kdfFields = children(expectTag(kdfParams, DerTag.sequence, "PBKDF2 parameters"));
  const salt = expectTag(kdfFields[0], DerTag.octetString, "PBKDF2 salt").content;
  const iterations = integerValue(expectTag(kdfFields[1], DerTag.integer, "PBKDF2 iterations"));
  const prfElement = kdfFields.find((f) => f.tag === DerTag.sequence);
  const prfOid = prfElement === undefined ? "1.2.840.113549.2.7" : oidText(children(prfElement)[0]!.content);
  const prf = HMAC_PRFS.get(prfOid);
  if (prf === undefined) throw new DerError(`unsupported PBKDF2 PRF ${prfOid}`);
  const [cipherOid, ivElement] = children(expectTag(scheme, DerTag.sequence, "PBES2 encryption scheme"));
  const cipherText = oidText(expectTag(cipherOid, DerTag.oid, "PBES2 cipher").content);
  const cipher = CIPHERS.get(cipherText);
  if (cipher === undefined) throw new DerError(`unsupported PBES2 cipher ${cipherText}`);
  const key = pbkdf2Sync(Buffer.from(password, "utf8"), salt, iterations, cipher.keyBytes, prf);
  return decipher(cipher.name, key, expectTag(ivElement, DerTag.octetString, "PBES2 IV").content, data);
}

function decipher(name: string, key: Buffer, iv: Buffer, data: Buffer): Buffer {
  try {
    const d = createDecipheriv(name, key, iv);
    return Buffer.concat([d.update(data), d.final()]);
  } catch {
    throw new Pkcs12PasswordError("cannot decrypt the store's contents: the password is wrong");
  }
}

/** The password as PKCS#12 wants it for its own KDF: UTF-16BE with a two-byte terminator. */
function bmpPassword(password: string): Buffer {
  const out = Buffer.alloc(password.length * 2 + 2);
  for (let i = 0; i < password.length; i++) out.writeUInt16BE(password.charCodeAt(i), i * 2);
  return out;
}

/** RFC 7292 appendix B.2: derives key (id 1), IV (id 2) or MAC key (id 3) bytes. */
function pkcs12Kdf(hash: { name: string; blockBytes: number }, password: Buffer, salt: Buffer, iterations: number, id: number, length: number): Buffer {
  const v = hash.blockBytes;
  const fill = (source: Buffer) => {
    const size = source.length === 0 ? 0 : v * Math.ceil(source.length / v);
    const out = Buffer.alloc(size);
    for (let i = 0; i < size; i++) out[i] = source[i % source.length]!;
    return out;
  };
  const d = Buffer.alloc(v, id);
  const input = Buffer.concat([fill(salt), fill(password)]);
  const result: Buffer[] = [];
  let produced = 0;
  while (produced < length) {
    let a = createHash(hash.name).update(d).update(input).digest();
    for (let r = 1; r < iterations; r++) a = createHash(hash.name).update(a).digest();
    result.push(a);
    produced += a.length;
    if (produced >= length) break;
    const b = Buffer.alloc(v);
    for (let i = 0; i < v; i++) b[i] = a[i % a.length]!;
    // Each v-byte block of the input becomes (block + B + 1) mod 2^(8v).
    for (let block = 0; block < input.length; block += v) {
      let carry = 1;
      for (let i = v - 1; i >= 0; i--) {
        const sum = input[block + i]! + b[i]! + carry;
        input[block + i] = sum & 0xff;
        carry = sum >> 8;
      }
    }
  }
  return Buffer.concat(result).subarray(0, length);
}
