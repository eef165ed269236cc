import { type KeyObject, X509Certificate, createPrivateKey } from "node:crypto";
import { readFileSync } from "node:fs";
import { extname } from "node:path";
import { pem } from "./der.js";
import { readJks } from "./jks.js";
import { readPkcs12 } from "./pkcs12.js";
import type { StoreSpec } from "./tls-settings.js";

/** A store that cannot be used; the message names the zoo.cfg key. */
export class TlsStoreError extends Error {}

export type StoreType = "PEM" | "PKCS12" | "JKS";

/** What a TLS context presents: one private key and its certificate chain, leaf first. */
export interface KeyMaterial {
  key: KeyObject;
  /** PEM certificates. */
  chain: string[];
}

/**
 * The store's type: `<prefix>.type` if set (case-insensitive, as ZooKeeper's KeyStoreFileType),
 * otherwise from the file name: .pem, .p12/.pfx, .jks.
 */
export function storeTypeOf(spec: StoreSpec): StoreType {
  const named = spec.type?.trim();
  if (named !== undefined && named !== "") {
    const upper = named.toUpperCase();
    if (upper === "PEM" || upper === "PKCS12" || upper === "JKS") return upper;
    throw new TlsStoreError(`${spec.settingName}.type: unsupported store type "${named}" (PEM, PKCS12 or JKS)`);
  }
  const ext = extname(spec.location).toLowerCase();
  if (ext === ".pem") return "PEM";
  if (ext === ".p12" || ext === ".pfx") return "PKCS12";
  if (ext === ".jks") return "JKS";
  throw new TlsStoreError(
    `${spec.settingName}.location: cannot tell the store type of "${spec.location}" from its name; set ${spec.settingName}.type (PEM, PKCS12 or JKS)`,
  );
}

interface StoreContents {
  keys: KeyObject[];
  certificates: Buffer[];
}

function readStore(spec: StoreSpec): StoreContents {
  const type = storeTypeOf(spec);
  let file: Buffer;
  try {
    file = readFileSync(spec.location);
  } catch (err) {
    throw new TlsStoreError(`${spec.settingName}.location: cannot read "${spec.location}": ${(err as Error).message}`);
  }
  const password = spec.password ?? "";
  try {
    if (type === "PKCS12") return readPkcs12(file, password);
    if (type === "JKS") return readJks(file, password);
    return readPem(file.toString("utf8"), spec.password);
  } catch (err) {
    if (err instanceof TlsStoreError) throw err;
    throw new TlsStoreError(`${spec.settingName}.location: cannot read the ${type} store "${spec.location}": ${(err as Error).message}`);
  }
}

/** A PEM store: certificates, and for a key store one private key (encrypted with the password or not). */
function readPem(text: string, password: string | null): StoreContents {
  const certificates = [...text.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)].map((m) =>
    Buffer.from(m[1]!.replace(/\s+/g, ""), "base64"),
  );
  const keyBlock = /-----BEGIN ([A-Z ]*)PRIVATE KEY-----[\s\S]*?-----END \1PRIVATE KEY-----/.exec(text);
  const keys = keyBlock === null ? [] : [createPrivateKey(password === null ? keyBlock[0] : { key: keyBlock[0], passphrase: password })];
  return { keys, certificates };
}

/** The key store's private key and the certificate chain that goes with it. */
export function loadKeyStore(spec: StoreSpec): KeyMaterial {
  const { keys, certificates } = readStore(spec);
  const key = keys[0];
  if (key === undefined) throw new TlsStoreError(`${spec.settingName}.location: "${spec.location}" holds no private key`);
  const parsed = certificates.map((der) => new X509Certificate(der));
  const leafIndex = parsed.findIndex((c) => c.checkPrivateKey(key));
  if (leafIndex < 0) throw new TlsStoreError(`${spec.settingName}.location: "${spec.location}" holds no certificate for its private key`);
  // The leaf, then the certificates that lead from it towards a root, in issuing order.
  const chain = [parsed[leafIndex]!];
  const rest = parsed.filter((_, i) => i !== leafIndex);
  for (;;) {
    const last = chain[chain.length - 1]!;
    const issuer = rest.find((c) => !chain.includes(c) && last.checkIssued(c) && c !== last);
    if (issuer === undefined || issuer.fingerprint256 === last.fingerprint256) break;
    chain.push(issuer);
  }
  return { key, chain: chain.map((c) => c.toString()) };
}

/** The trust store's certificates (PEM): the anchors a peer's chain must lead to. */
export function loadTrustStore(spec: StoreSpec): string[] {
  const { certificates } = readStore(spec);
  if (certificates.length === 0) throw new TlsStoreError(`${spec.settingName}.location: "${spec.location}" holds no certificate`);
  return certificates.map((der) => pem("CERTIFICATE", der));
}
