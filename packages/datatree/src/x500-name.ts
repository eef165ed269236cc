/**
 * Whether a string is a distinguished name that Java's `new X500Principal(name)` accepts
 * (RFC 2253 or RFC 1779 text), which is how ZooKeeper's x509 provider validates an ACL id:
 * relative names separated by `,` or `;`, attribute assertions joined by `+`, each a keyword
 * Java knows or a dotted OID, `=`, and a value that is quoted, `#`-hex, or text with `\` escapes.
 */
const KEYWORDS = new Set([
  "CN",
  "C",
  "L",
  "S",
  "ST",
  "O",
  "OU",
  "T",
  "IP",
  "STREET",
  "DC",
  "DNQUALIFIER",
  "DNQ",
  "SURNAME",
  "GIVENNAME",
  "INITIALS",
  "GENERATION",
  "EMAIL",
  "EMAILADDRESS",
  "UID",
  "SERIALNUMBER",
]);

export function isX500Name(name: string): boolean {
  let i = 0;
  const skipSpaces = () => {
    while (name[i] === " ") i++;
  };
  skipSpaces();
  if (i === name.length) return true; // the empty name
  for (;;) {
    // One attribute type and value.
    skipSpaces();
    const typeStart = i;
    while (i < name.length && /[A-Za-z0-9.\-]/.test(name[i]!)) i++;
    const type = name.substring(typeStart, i);
    skipSpaces();
    if (name[i] !== "=" || !isAttributeType(type)) return false;
    i++;
    skipSpaces();
    if (name[i] === "#") {
      const hexStart = ++i;
      while (i < name.length && /[0-9A-Fa-f]/.test(name[i]!)) i++;
      if (i === hexStart || (i - hexStart) % 2 !== 0) return false;
    } else if (name[i] === '"') {
      i++;
      while (i < name.length && name[i] !== '"') i += name[i] === "\\" ? 2 : 1;
      if (i >= name.length) return false;
      i++;
    } else {
      while (i < name.length && !",;+".includes(name[i]!)) {
        if (name[i] === "\\") {
          if (i + 1 >= name.length) return false;
          i += 2;
        } else if ('"<>'.includes(name[i]!)) {
          return false;
        } else {
          i++;
        }
      }
    }
    skipSpaces();
    if (i === name.length) return true;
    if (!",;+".includes(name[i]!)) return false;
    i++;
  }
}

function isAttributeType(type: string): boolean {
  if (KEYWORDS.has(type.toUpperCase())) return true;
  const oid = type.toUpperCase().startsWith("OID.") ? type.substring(4) : type;
  return /^[0-2](\.\d+)+$/.test(oid);
}
