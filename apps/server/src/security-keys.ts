import { ConfigError } from "./config-error.js";
import { SASL_KEYS, SASL_PROVIDER_CLASS, isSuperUserKey } from "./sasl-cfg.js";
import { TLS_KEYS, X509_PROVIDER_CLASS } from "./tls-cfg.js";

/**
 * zoo.cfg keys that protect the service and that zkts does not serve yet: Kerberos, and the
 * TLS options it lacks (OCSP revocation checks, custom SSL
 * context suppliers and authentication providers). A protection that is silently dropped is
 * worse than none (the operator believes anonymous clients are kept out, or revoked
 * certificates refused), so a config that turns one of them on stops the server, naming the
 * key. A switch set to its "off" value asks for nothing and passes. What zkts serves of TLS and
 * x509 is read in tls-cfg.ts (TLS_KEYS), of SASL and enforced authentication in sasl-cfg.ts
 * (SASL_KEYS), and passes here.
 */
interface SecurityKey {
  readonly pattern: RegExp;
  readonly feature: string;
  /** Set for on/off switches: the value that leaves the protection off is harmless. */
  readonly harmlessWhenFalse?: true;
  /** Said instead of "<feature> is not supported", for a key zkts reads under another name. */
  readonly advice?: string;
}

const SECURITY_KEYS: readonly SecurityKey[] = [
  {
    pattern: /^ssl\.(quorum\.)?ocsp$/,
    feature: "OCSP revocation checks",
    harmlessWhenFalse: true,
    advice:
      "OCSP revocation checks are not supported by zkts (it does not query the OCSP responders certificates name); " +
      "set ssl.crl=true (or ssl.quorum.crl=true) to check revocation with the CRLs the certificates name; refusing to start rather than serve without it",
  },
  { pattern: /^ssl\./, feature: "this TLS option" },
  { pattern: /^authProvider\./, feature: "authentication providers" },
  { pattern: /^X509AuthenticationProvider\./, feature: "this x509 provider option" },
  { pattern: /^requireClientAuthScheme$/, feature: "required client authentication" },
  { pattern: /^quorum\.auth\.kerberos\./, feature: "Kerberos (GSSAPI) between members (zkts serves DIGEST-MD5)" },
  { pattern: /^quorum\.auth\./, feature: "this quorum SASL option" },
  {
    pattern: /^java\.security\.auth\.login\.config$/,
    feature: "JAAS",
    advice:
      "ZooKeeper reads the JAAS file only as a JVM system property, never from zoo.cfg; " +
      "name it with jaasLoginConfig, or with -Djava.security.auth.login.config in SERVER_JVMFLAGS",
  },
  { pattern: /^kerberos/, feature: "Kerberos (GSSAPI)" },
];

/**
 * Providers zkts has: naming them in `authProvider.N` asks for nothing it lacks (the digest
 * scheme and ip are built in; x509 is served with client TLS; sasl with DIGEST-MD5).
 */
const SERVED_PROVIDERS = new Set([
  "org.apache.zookeeper.server.auth.DigestAuthenticationProvider",
  "org.apache.zookeeper.server.auth.IPAuthenticationProvider",
  X509_PROVIDER_CLASS,
  SASL_PROVIDER_CLASS,
]);

/** Throws for the first key (in file order) that asks for a protection zkts does not give. */
export function refuseUnservedSecurityKeys(props: ReadonlyMap<string, string>, strip: (key: string) => string): void {
  for (const [rawKey, rawValue] of props) {
    const key = strip(rawKey);
    const value = rawValue.trim();
    if (isServed(key, value)) continue;
    const rule = SECURITY_KEYS.find((k) => k.pattern.test(key));
    if (rule === undefined) continue;
    if (rule.harmlessWhenFalse && value.toLowerCase() === "false") continue;
    if (rule.advice !== undefined) throw new ConfigError(`${rawKey}: ${rule.advice}`);
    throw new ConfigError(`${rawKey}: ${rule.feature} is not supported by zkts yet; refusing to start rather than serve without it`);
  }
}

function isServed(key: string, value: string): boolean {
  // The SSL authentication provider is the x509 one unless another is named.
  if (key === "ssl.authProvider" || key === "ssl.quorum.authProvider") return value === "x509";
  if (TLS_KEYS.has(key) || SASL_KEYS.has(key) || isSuperUserKey(key)) return true;
  return key.startsWith("authProvider.") && SERVED_PROVIDERS.has(value);
}
