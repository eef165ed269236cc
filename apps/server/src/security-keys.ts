import { ConfigError } from "./config-error.js";

/**
 * zoo.cfg keys that protect the service: TLS, SASL, x509, authentication enforcement, the
 * audit trail. zkts serves none of these yet, and a protection that is silently dropped is
 * worse than none (the operator believes the port is encrypted or anonymous clients are
 * kept out), so a config that turns one of them on stops the server, naming the key. A switch
 * set to its "off" value asks for nothing and passes.
 */
interface SecurityKey {
  readonly pattern: RegExp;
  readonly feature: string;
  /** Set for on/off switches: the value that leaves the protection off is harmless. */
  readonly harmlessWhenFalse?: true;
}

const SECURITY_KEYS: readonly SecurityKey[] = [
  { pattern: /^secureClientPort(Address)?$/, feature: "TLS for clients" },
  { pattern: /^ssl\./, feature: "TLS" },
  { pattern: /^sslQuorum(ReloadCertFiles)?$/, feature: "TLS between members", harmlessWhenFalse: true },
  { pattern: /^(client\.)?portUnification$/, feature: "TLS port unification", harmlessWhenFalse: true },
  { pattern: /^authProvider\./, feature: "authentication providers" },
  { pattern: /^X509AuthenticationProvider\./, feature: "the x509 ACL scheme" },
  { pattern: /^enforce\.auth\.enabled$/, feature: "enforced authentication", harmlessWhenFalse: true },
  { pattern: /^enforce\.auth\.schemes$/, feature: "enforced authentication" },
  { pattern: /^sessionRequireClientSASLAuth$/, feature: "SASL authentication", harmlessWhenFalse: true },
  { pattern: /^requireClientAuthScheme$/, feature: "required client authentication" },
  { pattern: /^allowSaslFailedClients$/, feature: "SASL authentication", harmlessWhenFalse: true },
  { pattern: /^quorum\.auth\.(enableSasl|learnerRequireSasl|serverRequireSasl)$/, feature: "SASL between members", harmlessWhenFalse: true },
  { pattern: /^quorum\.auth\./, feature: "SASL between members" },
  { pattern: /^(jaasLoginConfig|java\.security\.auth\.login\.config)$/, feature: "SASL (JAAS login configuration)" },
  { pattern: /^kerberos/, feature: "Kerberos" },
  { pattern: /^admin\.(forceHttps|portUnification)$/, feature: "HTTPS for the AdminServer", harmlessWhenFalse: true },
  { pattern: /^audit\.enable$/, feature: "the audit log", harmlessWhenFalse: true },
];

/**
 * Providers ZooKeeper always loads: naming them in `authProvider.N` asks for nothing zkts
 * lacks (the digest scheme, and ip, are built in).
 */
const BUILT_IN_PROVIDERS = new Set([
  "org.apache.zookeeper.server.auth.DigestAuthenticationProvider",
  "org.apache.zookeeper.server.auth.IPAuthenticationProvider",
]);

/** Throws for the first key (in file order) that asks for a protection zkts does not give. */
export function refuseUnservedSecurityKeys(props: ReadonlyMap<string, string>, strip: (key: string) => string): void {
  for (const [rawKey, rawValue] of props) {
    const key = strip(rawKey);
    const rule = SECURITY_KEYS.find((k) => k.pattern.test(key));
    if (rule === undefined) continue;
    const value = rawValue.trim();
    if (rule.harmlessWhenFalse && value.toLowerCase() === "false") continue;
    if (key.startsWith("authProvider.") && BUILT_IN_PROVIDERS.has(value)) continue;
    throw new ConfigError(
      `${rawKey}: ${rule.feature} is not supported by zkts yet; refusing to start rather than serve without it`,
    );
  }
}
