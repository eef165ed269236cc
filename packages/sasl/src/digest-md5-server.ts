import { type DigestInputs, responseValue, rspauthValue } from "./digest-md5-math.js";
import { parseDirectives, quoted, required, single } from "./directives.js";
import { SaslError } from "./sasl-error.js";
import { timingSafeEqual } from "node:crypto";

export interface DigestMd5ServerOptions {
  /** The service, first half of the digest-uri: "zookeeper", or "zookeeper-quorum" between members. */
  protocol: string;
  /** The server name, second half of the digest-uri and the only realm offered: "zk-sasl-md5". */
  serverName: string;
  /** The password of a user, or null for a user it does not know. */
  passwordOf(username: string): string | null;
  /**
   * Decides whether `authenticationId` (the user whose password was proven) may act as
   * `authorizationId` (its authzid, or itself): the id the session gets, or null to refuse.
   */
  authorize(authenticationId: string, authorizationId: string): string | null;
  /** A fresh, unpredictable nonce (the caller owns randomness). */
  nonce(): string;
}

type Step = "challenge" | "response" | "complete" | "failed";

/**
 * The server side of DIGEST-MD5 (RFC 2831) as Java's SaslServer runs it for ZooKeeper: the
 * client opens with an empty token; the server challenges (one realm, qop auth, charset
 * utf-8, algorithm md5-sess); the client's response proves the password; the server answers
 * `rspauth` and the exchange is complete. Only qop=auth is offered: ZooKeeper wraps nothing.
 * Any error ends the exchange for good.
 */
export class DigestMd5Server {
  private step: Step = "challenge";
  private nonceValue = "";
  private authorized: string | null = null;

  constructor(private readonly options: DigestMd5ServerOptions) {}

  get complete(): boolean {
    return this.step === "complete";
  }

  /** The id the exchange authorized, once complete. */
  get authorizationId(): string | null {
    return this.authorized;
  }

  /** Takes the client's token and returns the next server token; throws SaslError on failure. */
  evaluate(token: Uint8Array): Buffer {
    try {
      switch (this.step) {
        case "challenge":
          return this.challenge(token);
        case "response":
          return this.verify(token);
        case "complete":
          throw new SaslError("DIGEST-MD5: the exchange is already complete");
        case "failed":
          throw new SaslError("DIGEST-MD5: the exchange has failed");
      }
    } catch (err) {
      this.step = "failed";
      throw err;
    }
  }

  private challenge(token: Uint8Array): Buffer {
    if (token.length !== 0) throw new SaslError("DIGEST-MD5: the mechanism has no initial response");
    this.nonceValue = this.options.nonce();
    this.step = "response";
    const parts = [quoted("realm", this.options.serverName), quoted("nonce", this.nonceValue), "charset=utf-8", "algorithm=md5-sess"];
    return Buffer.from(parts.join(","), "utf8");
  }

  private verify(token: Uint8Array): Buffer {
    const d = parseDirectives(token);
    const charset = single(d, "charset");
    if (charset !== undefined && charset.toLowerCase() !== "utf-8") throw new SaslError(`DIGEST-MD5: unsupported charset ${charset}`);
    const username = required(d, "username");
    const realm = single(d, "realm") ?? "";
    if (realm !== "" && realm !== this.options.serverName) throw new SaslError(`DIGEST-MD5: realm "${realm}" was not offered`);
    if (required(d, "nonce") !== this.nonceValue) throw new SaslError("DIGEST-MD5: the nonce is not the one offered");
    const nc = required(d, "nc");
    if (!/^[0-9a-fA-F]{8}$/.test(nc) || parseInt(nc, 16) !== 1) throw new SaslError(`DIGEST-MD5: nonce count ${nc} is not 1`);
    const qop = single(d, "qop") ?? "auth";
    if (qop !== "auth") throw new SaslError(`DIGEST-MD5: qop ${qop} was not offered`);
    const digestUri = required(d, "digest-uri");
    if (!this.isOwnDigestUri(digestUri)) throw new SaslError(`DIGEST-MD5: digest-uri "${digestUri}" does not name this service`);
    const authzid = single(d, "authzid");
    const inputs: DigestInputs = {
      username,
      realm,
      password: "",
      nonce: this.nonceValue,
      cnonce: required(d, "cnonce"),
      nc,
      qop,
      digestUri,
      authzid,
      utf8: charset !== undefined,
    };
    const password = this.options.passwordOf(username);
    if (password === null) throw new SaslError(`DIGEST-MD5: cannot acquire password for ${username} in realm ${this.options.serverName}`);
    inputs.password = password;
    const expected = Buffer.from(responseValue(inputs), "utf8");
    const given = Buffer.from(required(d, "response").toLowerCase(), "utf8");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new SaslError("DIGEST-MD5: digest response format violation. Mismatched response.");
    }
    const authorized = this.options.authorize(username, authzid ?? username);
    if (authorized === null) throw new SaslError(`DIGEST-MD5: ${username} is not authorized to act as ${authzid ?? username}`);
    this.authorized = authorized;
    this.step = "complete";
    return Buffer.from(`rspauth=${rspauthValue(inputs)}`, "utf8");
  }

  /** digest-uri is serv-type "/" host; the host part is a DNS name, compared without case. */
  private isOwnDigestUri(uri: string): boolean {
    const slash = uri.indexOf("/");
    if (slash < 0) return false;
    const service = uri.substring(0, slash);
    const host = uri.substring(slash + 1).split("/")[0]!;
    return service === this.options.protocol && host.toLowerCase() === this.options.serverName.toLowerCase();
  }
}
