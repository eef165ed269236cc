import type { Id } from "@zkts/jute";
import { type DerElement, DerTag, children, expectTag, oidText, parseOne } from "./der.js";

/**
 * The x509 identity of a client certificate, as ZooKeeper's X509AuthenticationProvider gives
 * it: the subject's distinguished name as Java's X500Principal.getName() prints it (RFC 2253:
 * the last relative name first, `,` between names, `+` inside a multi-valued one, RFC 2253's
 * keywords for the attributes it names and dotted OIDs with `#`-hex DER values for the rest).
 */
export function x509AuthIds(certificateDer: Buffer, superUser: string | null): Id[] {
  const name = subjectName(certificateDer);
  const ids: Id[] = [{ scheme: "x509", id: name }];
  if (superUser !== null && name === superUser) ids.push({ scheme: "super", id: name });
  return ids;
}

/** The keywords RFC 2253 defines, which Java prints by name. */
const RFC2253_KEYWORDS = new Map<string, string>([
  ["2.5.4.3", "CN"],
  ["2.5.4.6", "C"],
  ["2.5.4.7", "L"],
  ["2.5.4.8", "ST"],
  ["2.5.4.10", "O"],
  ["2.5.4.11", "OU"],
  ["2.5.4.9", "STREET"],
  ["0.9.2342.19200300.100.1.25", "DC"],
  ["0.9.2342.19200300.100.1.1", "UID"],
]);

const STRING_TAGS = new Map<number, (b: Buffer) => string>([
  [0x0c, (b) => b.toString("utf8")], // UTF8String
  [0x13, (b) => b.toString("latin1")], // PrintableString
  [0x14, (b) => b.toString("latin1")], // T61String
  [0x16, (b) => b.toString("latin1")], // IA5String
  [0x1b, (b) => b.toString("latin1")], // GeneralString
]);

/** RFC 2253 text of a certificate's subject. */
export function subjectName(certificateDer: Buffer): string {
  const certificate = children(parseOne(certificateDer, DerTag.sequence, "certificate"));
  const tbs = children(expectTag(certificate[0], DerTag.sequence, "tbsCertificate"));
  // version [0] is optional; then serial, signature, issuer, validity, subject.
  const first = tbs[0]?.tag === DerTag.contextConstructed0 ? 1 : 0;
  return nameText(expectTag(tbs[first + 4], DerTag.sequence, "subject"));
}

export function nameText(name: DerElement): string {
  return children(name)
    .reverse()
    .map((rdn) =>
      children(expectTag(rdn, DerTag.set, "relative name"))
        .map((ava) => assertionText(ava))
        .join("+"),
    )
    .join(",");
}

function assertionText(ava: DerElement): string {
  const [typeElement, value] = children(expectTag(ava, DerTag.sequence, "attribute"));
  const oid = oidText(expectTag(typeElement, DerTag.oid, "attribute type").content);
  const keyword = RFC2253_KEYWORDS.get(oid);
  const decode = value === undefined ? undefined : STRING_TAGS.get(value.tag);
  if (keyword === undefined || decode === undefined || value === undefined) {
    return `${oid}=#${value?.encoded.toString("hex") ?? ""}`;
  }
  return `${keyword}=${escapeValue(decode(value.content))}`;
}

/** RFC 2253 section 2.4 escaping, as Java's AVA applies it. */
function escapeValue(text: string): string {
  let out = "";
  for (const c of text) {
    if (',+<>;"\\'.includes(c)) out += `\\${c}`;
    else if (c === "\u0000") out += "\\00";
    else out += c;
  }
  const lead = out.length - out.replace(/^[ \r]+/, "").length;
  const trailStart = out.replace(/[ \r]+$/, "").length;
  let escaped = "";
  for (let i = 0; i < out.length; i++) escaped += i < lead || i >= trailStart ? `\\${out[i]}` : out[i];
  return escaped.startsWith("#") ? `\\${escaped}` : escaped;
}
