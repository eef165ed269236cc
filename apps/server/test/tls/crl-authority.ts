import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { type Server, createServer } from "node:http";
import { join } from "node:path";
import type { CertificateAuthority, Identity } from "./pki.js";

/**
 * Revocation for a test CA, made with `openssl ca`: revoke() records a certificate in the CA's
 * database, publish() signs a new CRL from it, and a loopback HTTP server hands the latest CRL
 * (DER) to whoever fetches the URL certificates name in their CRL distribution points.
 */
export class CrlAuthority {
  private readonly dir: string;
  private readonly config: string;
  private crlDer: Buffer = Buffer.alloc(0);
  private http: Server | null = null;
  /** How many times the CRL was fetched, to show the servers asked for it. */
  fetches = 0;

  constructor(
    private readonly ca: CertificateAuthority,
    workDir: string,
    private readonly port: number,
  ) {
    this.dir = join(workDir, "crl-db");
    mkdirSync(this.dir, { recursive: true });
    writeFileSync(join(this.dir, "index.txt"), "");
    writeFileSync(join(this.dir, "crlnumber"), "01\n");
    this.config = join(this.dir, "ca.cnf");
    writeFileSync(
      this.config,
      [
        "[ca]",
        "default_ca = test_ca",
        "[test_ca]",
        `database = ${join(this.dir, "index.txt")}`,
        `crlnumber = ${join(this.dir, "crlnumber")}`,
        `certificate = ${ca.certPem}`,
        `private_key = ${ca.keyPem}`,
        "default_md = sha256",
        "default_crl_days = 2",
        "",
      ].join("\n"),
    );
  }

  /** The extension line that makes a certificate name this authority's CRL. */
  get distributionPoint(): string {
    return `crlDistributionPoints=URI:${this.url}`;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/test-ca.crl`;
  }

  revoke(identity: Identity): void {
    openssl(["ca", "-config", this.config, "-revoke", identity.certPem]);
  }

  /** Signs a CRL listing every certificate revoked so far and serves it from now on. */
  publish(): void {
    const crlPem = join(this.dir, "test-ca.crl.pem");
    openssl(["ca", "-config", this.config, "-gencrl", "-out", crlPem]);
    this.crlDer = execFileSync("openssl", ["crl", "-in", crlPem, "-outform", "DER"]);
    writeFileSync(join(this.dir, "test-ca.crl"), this.crlDer);
  }

  async serve(): Promise<void> {
    this.http = createServer((req, res) => {
      if (req.url !== "/test-ca.crl") {
        res.writeHead(404).end();
        return;
      }
      this.fetches++;
      res.writeHead(200, { "content-type": "application/pkix-crl" }).end(this.crlDer);
    });
    await new Promise<void>((resolve) => this.http!.listen(this.port, "127.0.0.1", resolve));
  }

  close(): void {
    this.http?.close();
  }

  /** The CRL as PEM, for tests that read it themselves. */
  get pem(): string {
    return readFileSync(join(this.dir, "test-ca.crl.pem"), "utf8");
  }
}

function openssl(args: string[]): void {
  execFileSync("openssl", args, { stdio: "ignore" });
}
