import { DerTag, children, expectTag, oidText, parseOne, readElement } from "./der.js";

const CRL_DISTRIBUTION_POINTS = "2.5.29.31";
const EXTENSIONS_TAG = 0xa3;
const FULL_NAME_TAG = 0xa0;
const DISTRIBUTION_POINT_TAG = 0xa0;
const URI_TAG = 0x86;

/** What a revocation check needs of a certificate: its issuer and serial, and where its CRLs are. */
export interface CertificateFacts {
  /** DER of the issuer Name. */
  issuer: Buffer;
  /** Lower-case hex, no leading zero bytes (as crl.ts's serialHex). */
  serial: string;
  /** The URIs of the CRL distribution points extension, in order; empty without one. */
  crlUrls: string[];
}

/** Reads issuer, serial number and CRL distribution point URIs from a certificate's DER. */
export function certificateFacts(der: Buffer, serialHex: (content: Buffer) => string): CertificateFacts {
  const [tbs] = children(parseOne(der, DerTag.sequence, "certificate"));
  const fields = children(expectTag(tbs, DerTag.sequence, "tbsCertificate"));
  let i = fields[0]?.tag === DerTag.contextConstructed0 ? 1 : 0; // the explicit version
  const serial = serialHex(expectTag(fields[i++], DerTag.integer, "certificate serial").content);
  i++; // signature algorithm
  const issuer = expectTag(fields[i], DerTag.sequence, "certificate issuer").encoded;
  const crlUrls: string[] = [];
  const extensions = fields.find((f) => f.tag === EXTENSIONS_TAG);
  if (extensions !== undefined) {
    for (const extension of children(children(extensions)[0]!)) {
      const parts = children(extension);
      if (oidText(expectTag(parts[0], DerTag.oid, "extension").content) !== CRL_DISTRIBUTION_POINTS) continue;
      const value = expectTag(parts[parts.length - 1], DerTag.octetString, "CRL distribution points");
      const { element: points } = readElement(value.content);
      for (const point of children(points)) {
        const name = children(point).find((c) => c.tag === DISTRIBUTION_POINT_TAG);
        const fullName = name === undefined ? undefined : children(name).find((c) => c.tag === FULL_NAME_TAG);
        if (fullName === undefined) continue;
        for (const general of children(fullName)) if (general.tag === URI_TAG) crlUrls.push(general.content.toString("latin1"));
      }
    }
  }
  return { issuer, serial, crlUrls };
}
