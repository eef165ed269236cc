import { createHash } from "node:crypto";

/**
 * The hashes of RFC 2831 section 2.1.2.1 for `qop=auth` with `algorithm=md5-sess`:
 *
 *   A1 = H(user ":" realm ":" password) ":" nonce ":" cnonce [":" authzid]
 *   A2 = "AUTHENTICATE:" digest-uri          (the client's response)
 *   A2 = ":" digest-uri                      (the server's rspauth)
 *   response = HEX(H(HEX(H(A1)) ":" nonce ":" nc ":" cnonce ":" qop ":" HEX(H(A2))))
 */
export interface DigestInputs {
  username: string;
  realm: string;
  password: string;
  nonce: string;
  cnonce: string;
  nc: string;
  qop: string;
  digestUri: string;
  authzid: string | undefined;
  /** The exchange declared charset=utf-8. */
  utf8: boolean;
}

function md5(...parts: (string | Buffer)[]): Buffer {
  const hash = createHash("md5");
  for (const p of parts) hash.update(p);
  return hash.digest();
}

function hex(bytes: Buffer): string {
  return bytes.toString("hex");
}

/**
 * User name, realm and password enter H() in ISO 8859-1, unless charset=utf-8 was agreed and
 * one of their characters lies beyond it (RFC 2831 2.1.2.1, as Java's implementation does).
 */
function credentialBytes(text: string, utf8: boolean): Buffer {
  if (utf8 && [...text].some((c) => c.codePointAt(0)! > 0xff)) return Buffer.from(text, "utf8");
  return Buffer.from(text, "latin1");
}

function a1(i: DigestInputs): Buffer {
  const secret = md5(credentialBytes(i.username, i.utf8), ":", credentialBytes(i.realm, i.utf8), ":", credentialBytes(i.password, i.utf8));
  const tail = `:${i.nonce}:${i.cnonce}${i.authzid === undefined ? "" : `:${i.authzid}`}`;
  return Buffer.concat([secret, Buffer.from(tail, "utf8")]);
}

function kd(i: DigestInputs, a2: string): string {
  return hex(md5(hex(md5(a1(i))), `:${i.nonce}:${i.nc}:${i.cnonce}:${i.qop}:`, hex(md5(a2))));
}

/** The `response` directive a client sends. */
export function responseValue(i: DigestInputs): string {
  return kd(i, `AUTHENTICATE:${i.digestUri}`);
}

/** The `rspauth` value a server sends back to prove it knew the password too. */
export function rspauthValue(i: DigestInputs): string {
  return kd(i, `:${i.digestUri}`);
}
