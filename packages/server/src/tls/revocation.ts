import { X509Certificate } from "node:crypto";
import type { TLSSocket } from "node:tls";
import { type CertificateFacts, certificateFacts } from "./crl-distribution-points.js";
import { type Crl, parseCrl, serialHex } from "./crl.js";

/** A CRL fetched this recently is used again without asking (Java's URICertStore waits 30 s too). */
const CRL_RECHECK_MS = 30_000;

/** How long a CRL download may take (Java's com.sun.security.crl.timeout default, 15 s). */
const FETCH_TIMEOUT_MS = 15_000;

/** A larger answer is not a CRL a member should hold in memory. */
const MAX_CRL_BYTES = 16 * 1024 * 1024;

/** Paths longer than this are not followed (a loop in a bad chain must end). */
const MAX_CHAIN = 10;

interface CachedCrl {
  crl: Crl;
  fetchedAtMs: number;
}

/**
 * `ssl.crl=true` / `ssl.quorum.crl=true`, as ZooKeeper 3.8 turns them on in Java's PKIX
 * validator (revocation checking with CRLs from the certificates' distribution points): once a
 * peer's chain verified, every certificate of it below the trust anchor must have a CRL,
 * fetched over http(s) from its CRL distribution points extension, signed by its issuer and
 * current, that does not list it. A certificate whose status cannot be learned (no
 * distribution point, the CRL unreachable, stale or badly signed) is refused, as Java refuses
 * it. CRLs are cached and fetched again when 30 s old or past their next update, so a
 * republished CRL takes effect for new connections without a restart.
 */
export class RevocationChecker {
  private anchors: X509Certificate[] = [];
  private readonly cache = new Map<string, CachedCrl>();
  private readonly inFlight = new Map<string, Promise<Crl>>();

  constructor(trustedPems: readonly string[]) {
    this.trust(trustedPems);
  }

  /** The trust store's certificates (again after a reload): where a chain ends. */
  trust(trustedPems: readonly string[]): void {
    this.anchors = trustedPems.map((p) => new X509Certificate(p));
  }

  /** Resolves to null when no certificate of the chain is revoked and each status is known; otherwise why not. */
  async check(chain: readonly X509Certificate[]): Promise<string | null> {
    const candidates = [...chain, ...this.anchors];
    let current = chain[0];
    for (let step = 0; current !== undefined && step < MAX_CHAIN; step++) {
      const cert: X509Certificate = current;
      if (this.anchors.some((a) => a.fingerprint256 === cert.fingerprint256)) return null;
      const issuer = candidates.find((c) => c.fingerprint256 !== cert.fingerprint256 && cert.checkIssued(c) && cert.verify(c.publicKey));
      if (issuer === undefined) return `no issuer of "${nameOf(cert)}" is known`;
      const reason = await this.statusOf(cert, issuer);
      if (reason !== null) return reason;
      current = issuer;
    }
    return current === undefined ? "no certificate" : "the certificate chain is too long";
  }

  private async statusOf(cert: X509Certificate, issuer: X509Certificate): Promise<string | null> {
    let facts: CertificateFacts;
    try {
      facts = certificateFacts(cert.raw, serialHex);
    } catch (err) {
      return `certificate "${nameOf(cert)}" cannot be read: ${(err as Error).message}`;
    }
    if (facts.crlUrls.length === 0) return `revocation status of "${nameOf(cert)}" unknown: it names no CRL distribution point`;
    const problems: string[] = [];
    for (const url of facts.crlUrls) {
      let crl: Crl;
      try {
        crl = await this.crlAt(url);
      } catch (err) {
        problems.push(`${url}: ${(err as Error).message}`);
        continue;
      }
      const unusable = this.unusable(crl, facts, issuer);
      if (unusable !== null) {
        problems.push(`${url}: ${unusable}`);
        continue;
      }
      return crl.revoked.has(facts.serial) ? `certificate "${nameOf(cert)}" (serial ${facts.serial}) is revoked` : null;
    }
    return `revocation status of "${nameOf(cert)}" unknown: ${problems.join("; ")}`;
  }

  private unusable(crl: Crl, facts: CertificateFacts, issuer: X509Certificate): string | null {
    const now = Date.now();
    if (!crl.issuer.equals(facts.issuer)) return "the CRL is not from the certificate's issuer";
    if (!crl.signedBy(issuer)) return "the CRL's signature does not verify with the issuer's key";
    if (crl.thisUpdateMs > now) return "the CRL is not valid yet";
    if (crl.nextUpdateMs !== null && crl.nextUpdateMs < now) return "the CRL is past its next update";
    return null;
  }

  private async crlAt(url: string): Promise<Crl> {
    const cached = this.cache.get(url);
    const now = Date.now();
    if (cached !== undefined && now - cached.fetchedAtMs < CRL_RECHECK_MS && (cached.crl.nextUpdateMs === null || now <= cached.crl.nextUpdateMs)) {
      return cached.crl;
    }
    let pending = this.inFlight.get(url);
    if (pending === undefined) {
      pending = fetchCrl(url).finally(() => this.inFlight.delete(url));
      this.inFlight.set(url, pending);
    }
    try {
      const crl = await pending;
      this.cache.set(url, { crl, fetchedAtMs: Date.now() });
      return crl;
    } catch (err) {
      // An unreachable distribution point leaves the last CRL in force until its next update.
      if (cached !== undefined && (cached.crl.nextUpdateMs === null || Date.now() <= cached.crl.nextUpdateMs)) return cached.crl;
      throw err;
    }
  }
}

async function fetchCrl(url: string): Promise<Crl> {
  const protocol = new URL(url).protocol;
  if (protocol !== "http:" && protocol !== "https:") throw new Error(`zkts fetches CRLs over http and https only, not ${protocol}`);
  const response = await fetchOnce(url).catch((err: unknown) => {
    // A kept-alive connection that the server closed just as it was reused fails with no reply
    // at all; Java's HTTP client sends such a GET again on a new connection, and so does this.
    if (!isNoReply(err)) throw err;
    return fetchOnce(url);
  });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const body = Buffer.from(await response.arrayBuffer());
  if (body.length > MAX_CRL_BYTES) throw new Error(`the CRL is larger than ${MAX_CRL_BYTES} bytes`);
  return parseCrl(body);
}

async function fetchOnce(url: string): Promise<Response> {
  try {
    return await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  } catch (err) {
    // fetch says only "fetch failed"; the reason (refused, reset, closed) is in its cause.
    const cause = (err as { cause?: { message?: string } }).cause?.message;
    throw Object.assign(new Error(cause === undefined ? (err as Error).message : `${(err as Error).message} (${cause})`), { noReply: isNetworkError(err) });
  }
}

/** fetch rejects with a TypeError when no HTTP reply came (and with an AbortError on timeout). */
function isNetworkError(err: unknown): boolean {
  return err instanceof TypeError;
}

function isNoReply(err: unknown): boolean {
  return (err as { noReply?: boolean }).noReply === true;
}

/** The certificates a TLS peer presented, its own first (node completes the chain from the trust store). */
export function peerChainOf(socket: TLSSocket): X509Certificate[] {
  const chain: X509Certificate[] = [];
  let detailed = socket.getPeerCertificate(true);
  const seen = new Set<string>();
  for (let i = 0; i < MAX_CHAIN && detailed?.raw !== undefined && !seen.has(detailed.fingerprint256); i++) {
    seen.add(detailed.fingerprint256);
    chain.push(new X509Certificate(detailed.raw));
    detailed = detailed.issuerCertificate;
  }
  return chain;
}

/** The subject on one line, for log lines (node separates its attributes with newlines). */
function nameOf(cert: X509Certificate): string {
  return cert.subject.replace(/\n/g, ", ");
}
