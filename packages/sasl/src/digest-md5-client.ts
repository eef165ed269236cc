import { type DigestInputs, responseValue, rspauthValue } from "./digest-md5-math.js";
import { parseDirectives, quoted, required, single } from "./directives.js";
import { SaslError } from "./sasl-error.js";

export interface DigestMd5ClientOptions {
  username: string;
  password: string;
  /** The service: "zookeeper", or "zookeeper-quorum" between members. */
  protocol: string;
  /** The server name ZooKeeper fixes for DIGEST-MD5: "zk-sasl-md5" ("zk-quorum-sasl-md5" between members). */
  serverName: string;
  /** A fresh, unpredictable client nonce (the caller owns randomness). */
  cnonce(): string;
}

type Step = "initial" | "challenge" | "rspauth" | "complete" | "failed";

/**
 * The client side of DIGEST-MD5 (RFC 2831) as ZooKeeper's clients speak it: an empty first
 * token, a response to the server's challenge with qop=auth, and a check of the server's
 * `rspauth`, which proves the server knew the password too. Any error ends the exchange.
 */
export class DigestMd5Client {
  private step: Step = "initial";
  private inputs: DigestInputs | null = null;

  constructor(private readonly options: DigestMd5ClientOptions) {}

  get complete(): boolean {
    return this.step === "complete";
  }

  /** The first token: DIGEST-MD5 has no initial response, so it is empty. */
  start(): Buffer {
    if (this.step !== "initial") throw new SaslError("DIGEST-MD5: the exchange has already started");
    this.step = "challenge";
    return Buffer.alloc(0);
  }

  /** Answers a server token: the response to its challenge, or null once its rspauth checks out. */
  evaluate(token: Uint8Array): Buffer | null {
    try {
      switch (this.step) {
        case "initial":
          throw new SaslError("DIGEST-MD5: a server token before the exchange started");
        case "challenge":
          return this.respond(token);
        case "rspauth":
          this.checkRspauth(token);
          return null;
        case "complete":
          throw new SaslError("DIGEST-MD5: a server token after the exchange completed");
        case "failed":
          throw new SaslError("DIGEST-MD5: the exchange has failed");
      }
    } catch (err) {
      this.step = "failed";
      throw err;
    }
  }

  private respond(token: Uint8Array): Buffer {
    const d = parseDirectives(token);
    const algorithm = required(d, "algorithm");
    if (algorithm.toLowerCase() !== "md5-sess") throw new SaslError(`DIGEST-MD5: unsupported algorithm ${algorithm}`);
    const qops = (single(d, "qop") ?? "auth").split(",").map((q) => q.trim());
    if (!qops.includes("auth")) throw new SaslError(`DIGEST-MD5: the server offers no qop auth (${qops.join(",")})`);
    const utf8 = single(d, "charset")?.toLowerCase() === "utf-8";
    // A server may offer several realms; ZooKeeper's offer one, its server name.
    const realm = d.get("realm")?.[0] ?? "";
    const digestUri = `${this.options.protocol}/${this.options.serverName}`;
    const inputs: DigestInputs = {
      username: this.options.username,
      realm,
      password: this.options.password,
      nonce: required(d, "nonce"),
      cnonce: this.options.cnonce(),
      nc: "00000001",
      qop: "auth",
      digestUri,
      authzid: undefined,
      utf8,
    };
    this.inputs = inputs;
    this.step = "rspauth";
    const parts = [
      ...(utf8 ? ["charset=utf-8"] : []),
      quoted("username", inputs.username),
      quoted("realm", realm),
      quoted("nonce", inputs.nonce),
      `nc=${inputs.nc}`,
      quoted("cnonce", inputs.cnonce),
      quoted("digest-uri", digestUri),
      "maxbuf=65536",
      `response=${responseValue(inputs)}`,
      "qop=auth",
    ];
    return Buffer.from(parts.join(","), "utf8");
  }

  private checkRspauth(token: Uint8Array): void {
    const rspauth = required(parseDirectives(token), "rspauth");
    if (rspauth.toLowerCase() !== rspauthValue(this.inputs!)) {
      throw new SaslError("DIGEST-MD5: the server's rspauth does not match: it does not know the password");
    }
    this.step = "complete";
  }
}
