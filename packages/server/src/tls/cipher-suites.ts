import { getCiphers } from "node:tls";

/**
 * ZooKeeper 3.8's default cipher suites on Java 9 and later (X509Util), in its order: ECDHE with
 * AES-GCM first, then AES-CBC.
 */
export const DEFAULT_CIPHER_SUITES: readonly string[] = [
  "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
  "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
  "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
  "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
  "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
  "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
  "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384",
  "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
  "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
  "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
  "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
  "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
];

/**
 * OpenSSL's name for a cipher suite Java names in IANA style (TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
 * is ECDHE-RSA-AES128-GCM-SHA256), or null when OpenSSL has no such suite. TLS 1.3 suites keep
 * their IANA names in OpenSSL too.
 */
export function openSslCipherName(javaName: string): string | null {
  const known = new Set(getCiphers().map((c) => c.toUpperCase()));
  if (/^TLS_(AES|CHACHA20)_/.test(javaName)) return known.has(javaName) ? javaName : null;
  const match = /^(?:TLS|SSL)_(.+)_WITH_(.+)$/.exec(javaName);
  if (match === null) return null;
  const exchange = match[1]!.replace(/_/g, "-");
  const cipher = match[2]!
    .replace(/^AES_(\d+)_/, "AES$1_")
    .replace(/^CHACHA20_POLY1305_SHA256$/, "CHACHA20_POLY1305")
    .replace(/_CBC_SHA$/, "_SHA")
    .replace(/_CBC_(SHA\d+)$/, "_$1")
    .replace(/^3DES_EDE_CBC_SHA$/, "DES-CBC3-SHA")
    .replace(/_/g, "-");
  const name = exchange === "RSA" ? cipher : `${exchange}-${cipher}`;
  return known.has(name) ? name : null;
}
