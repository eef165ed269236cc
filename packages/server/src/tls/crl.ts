import { type X509Certificate, verify } from "node:crypto";
import { type DerElement, DerError, DerTag, children, expectTag, oidText, parseOne } from "./der.js";

/**
 * A certificate revocation list (RFC 5280 section 5), read from DER or PEM, with what a
 * revocation check needs: who issued it, when it is valid, the serial numbers it revokes and
 * whether the issuer's key signed it. Delta CRLs and indirect CRLs are not read: a list with a
 * critical extension this reader does not know is refused, as RFC 5280 asks.
 */
export interface Crl {
  /** The DER of the issuer's Name, compared byte for byte with a certificate's issuer. */
  issuer: Buffer;
  thisUpdateMs: number;
  /** null when the list gives no next update. */
  nextUpdateMs: number | null;
  /** Revoked serial numbers, as lower-case hex without leading zero bytes. */
  revoked: ReadonlySet<string>;
  /** True when `issuer`'s public key made the list's signature. */
  signedBy(issuer: X509Certificate): boolean;
}

const BIT_STRING = 0x03;
const UTC_TIME = 0x17;
const GENERALIZED_TIME = 0x18;
const BOOLEAN = 0x01;

/** Signature algorithms by OID: the digest crypto.verify takes (null: the key type decides). */
const SIGNATURE_DIGESTS = new Map<string, string | null>([
  ["1.2.840.113549.1.1.5", "sha1"],
  ["1.2.840.113549.1.1.11", "sha256"],
  ["1.2.840.113549.1.1.12", "sha384"],
  ["1.2.840.113549.1.1.13", "sha512"],
  ["1.2.840.10045.4.1", "sha1"],
  ["1.2.840.10045.4.3.2", "sha256"],
  ["1.2.840.10045.4.3.3", "sha384"],
  ["1.2.840.10045.4.3.4", "sha512"],
  ["1.3.101.112", null],
  ["1.3.101.113", null],
]);

/** CRL extensions that change nothing for a full, direct list: authority key id, CRL number. */
const UNDERSTOOD_EXTENSIONS = new Set(["2.5.29.35", "2.5.29.20"]);

/** Reads a CRL from DER, or from PEM text holding one `X509 CRL` block. */
export function parseCrl(data: Buffer): Crl {
  const text = data.toString("latin1");
  const pemMatch = /-----BEGIN X509 CRL-----([\s\S]*?)-----END X509 CRL-----/.exec(text);
  const der = pemMatch === null ? data : Buffer.from(pemMatch[1]!.replace(/\s+/g, ""), "base64");
  const [tbs, algorithm, signatureBits] = children(parseOne(der, DerTag.sequence, "CRL"));
  const tbsList = expectTag(tbs, DerTag.sequence, "CRL tbsCertList");
  const signatureOid = oidText(expectTag(children(expectTag(algorithm, DerTag.sequence, "CRL signatureAlgorithm"))[0], DerTag.oid, "CRL algorithm").content);
  if (!SIGNATURE_DIGESTS.has(signatureOid)) throw new DerError(`CRL signed with an unsupported algorithm ${signatureOid}`);
  const signature = expectTag(signatureBits, BIT_STRING, "CRL signature").content.subarray(1);
  const fields = children(tbsList);
  let i = 0;
  if (fields[i]?.tag === DerTag.integer) i++; // version
  i++; // the signature algorithm again, inside the signed part
  const issuer = expectTag(fields[i++], DerTag.sequence, "CRL issuer").encoded;
  const thisUpdateMs = timeOf(fields[i++], "CRL thisUpdate");
  let nextUpdateMs: number | null = null;
  if (fields[i]?.tag === UTC_TIME || fields[i]?.tag === GENERALIZED_TIME) nextUpdateMs = timeOf(fields[i++], "CRL nextUpdate");
  const revoked = new Set<string>();
  if (fields[i]?.tag === DerTag.sequence) {
    for (const entry of children(fields[i++]!)) {
      const [serial, , entryExtensions] = children(expectTag(entry, DerTag.sequence, "CRL entry"));
      refuseUnknownCritical(entryExtensions, new Set(["2.5.29.21", "2.5.29.24"]), "CRL entry");
      revoked.add(serialHex(expectTag(serial, DerTag.integer, "CRL entry serial").content));
    }
  }
  if (fields[i]?.tag === DerTag.contextConstructed0) refuseUnknownCritical(children(fields[i]!)[0], UNDERSTOOD_EXTENSIONS, "CRL");
  const digest = SIGNATURE_DIGESTS.get(signatureOid)!;
  return {
    issuer,
    thisUpdateMs,
    nextUpdateMs,
    revoked,
    signedBy: (certificate) => {
      try {
        return verify(digest, tbsList.encoded, certificate.publicKey, signature);
      } catch {
        return false;
      }
    },
  };
}

/** Hex of an INTEGER's content as a serial number: lower case, no leading zero bytes. */
export function serialHex(content: Buffer): string {
  let start = 0;
  while (start < content.length - 1 && content[start] === 0) start++;
  return content.subarray(start).toString("hex");
}

function refuseUnknownCritical(extensions: DerElement | undefined, understood: ReadonlySet<string>, what: string): void {
  if (extensions === undefined) return;
  for (const extension of children(expectTag(extensions, DerTag.sequence, `${what} extensions`))) {
    const [oid, maybeCritical] = children(extension);
    const name = oidText(expectTag(oid, DerTag.oid, `${what} extension`).content);
    const critical = maybeCritical?.tag === BOOLEAN && maybeCritical.content[0] !== 0;
    if (critical && !understood.has(name)) throw new DerError(`${what} has a critical extension ${name} that zkts does not read`);
  }
}

/** UTCTime (YYMMDDHHMMSSZ, years 1950-2049) or GeneralizedTime (YYYYMMDDHHMMSSZ), in ms. */
function timeOf(element: DerElement | undefined, what: string): number {
  if (element === undefined || (element.tag !== UTC_TIME && element.tag !== GENERALIZED_TIME)) throw new DerError(`${what}: expected a time`);
  const text = element.content.toString("latin1");
  const match = (element.tag === UTC_TIME ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/ : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/).exec(text);
  if (match === null) throw new DerError(`${what}: unreadable time "${text}"`);
  let year = Number(match[1]);
  if (element.tag === UTC_TIME) year += year < 50 ? 2000 : 1900;
  return Date.UTC(year, Number(match[2]) - 1, Number(match[3]), Number(match[4]), Number(match[5]), Number(match[6]));
}
