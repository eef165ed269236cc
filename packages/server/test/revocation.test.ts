import { execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { type Server, createServer } from "node:http";
import { type AddressInfo, createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseCrl } from "../src/tls/crl.js";
import { RevocationChecker } from "../src/tls/revocation.js";

/**
 * The revocation check of ssl.crl on certificates and CRLs made by `openssl ca`: which
 * certificates pass, and why each unusable CRL is refused. The CRLs are served by a loopback
 * HTTP server at the URL the certificates name, one path per case.
 */
const dir = mkdtempSync(join(tmpdir(), "zkts-revocation-"));
const served = new Map<string, Buffer>();
const dropOnce = new Set<string>();
let http: Server;
let base: string;

function openssl(args: string[]): Buffer {
  return execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "pipe", "ignore"] });
}

/** A CA with an `openssl ca` database; `subject` may repeat another CA's, with a new key. */
function authority(name: string, subject: string): { cert: X509Certificate; config: string } {
  openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", `${name}.key`, "-out", `${name}.pem`, "-days", "2", "-subj", subject]);
  writeFileSync(join(dir, `${name}.index`), "");
  writeFileSync(join(dir, `${name}.crlnumber`), "01\n");
  const config = join(dir, `${name}.cnf`);
  writeFileSync(
    config,
    `[ca]\ndefault_ca = c\n[c]\ndatabase = ${dir}/${name}.index\ncrlnumber = ${dir}/${name}.crlnumber\n` +
      `certificate = ${dir}/${name}.pem\nprivate_key = ${dir}/${name}.key\ndefault_md = sha256\ndefault_crl_days = 2\n`,
  );
  return { cert: new X509Certificate(readFileSync(join(dir, `${name}.pem`))), config };
}

/** A leaf signed by the CA `caName`, naming `crlPath` on the test server, or `url` (or no distribution point). */
function leaf(caName: string, name: string, crlPath: string | null, url = `${base}${crlPath}`): X509Certificate {
  openssl(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", `/CN=${name}`]);
  writeFileSync(join(dir, `${name}.ext`), crlPath === null ? "basicConstraints=CA:FALSE\n" : `crlDistributionPoints=URI:${url}\n`);
  openssl([
    "x509",
    "-req",
    "-in",
    `${name}.csr`,
    "-CA",
    `${caName}.pem`,
    "-CAkey",
    `${caName}.key`,
    "-CAcreateserial",
    "-out",
    `${name}.pem`,
    "-days",
    "2",
    "-extfile",
    `${name}.ext`,
  ]);
  return new X509Certificate(readFileSync(join(dir, `${name}.pem`)));
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const probe = createNetServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

function crl(config: string, extra: string[] = []): Buffer {
  return openssl(["ca", "-config", config, "-gencrl", ...extra]);
}

let root: { cert: X509Certificate; config: string };
let impostor: { cert: X509Certificate; config: string };
let checker: RevocationChecker;

beforeAll(async () => {
  http = createServer((req, res) => {
    // A path in dropOnce is answered by closing the connection, once: what a client sees when
    // it reuses a kept-alive connection the server has just closed.
    if (dropOnce.delete(req.url ?? "")) return req.socket.destroy();
    const body = served.get(req.url ?? "");
    if (body === undefined) res.writeHead(404).end();
    else res.writeHead(200).end(body);
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  root = authority("root", "/CN=Revocation Root");
  // Same name as the root, another key: its CRLs look like the root's but are not signed by it.
  impostor = authority("impostor", "/CN=Revocation Root");
  checker = new RevocationChecker([root.cert.toString()]);
});

afterAll(() => {
  http.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("RevocationChecker (ssl.crl)", () => {
  it("passes a certificate its issuer's CRL does not list and refuses one it lists, from a DER or a PEM CRL", async () => {
    const good = leaf("root", "good", "/root.crl");
    const revoked = leaf("root", "revoked", "/root.crl");
    openssl(["ca", "-config", root.config, "-revoke", join(dir, "revoked.pem")]);
    const pem = crl(root.config);
    served.set("/root.crl", pem);
    expect(await checker.check([good, root.cert])).toBeNull();
    expect(await checker.check([revoked, root.cert])).toMatch(/^certificate "CN=revoked" \(serial [0-9a-f]+\) is revoked$/);
    const der = Buffer.from(/-----BEGIN X509 CRL-----([\s\S]*?)-----END/.exec(pem.toString())![1]!.replace(/\s+/g, ""), "base64");
    served.set("/root-der.crl", der);
    expect(await checker.check([leaf("root", "good-der", "/root-der.crl"), root.cert])).toBeNull();
    const parsed = parseCrl(der);
    expect(parsed.revoked.size).toBe(1);
    expect(parsed.signedBy(root.cert)).toBe(true);
    expect(parsed.signedBy(impostor.cert)).toBe(false);
  });

  it("refuses when the status cannot be learned: no distribution point, HTTP 404, a CRL from another key, a stale CRL", async () => {
    expect(await checker.check([leaf("root", "no-dp", null), root.cert])).toMatch(/names no CRL distribution point/);
    expect(await checker.check([leaf("root", "missing", "/missing.crl"), root.cert])).toMatch(/unknown: .*missing\.crl: HTTP 404/);
    served.set("/forged.crl", crl(impostor.config));
    expect(await checker.check([leaf("root", "forged", "/forged.crl"), root.cert])).toMatch(/signature does not verify with the issuer's key/);
    served.set("/stale.crl", crl(root.config, ["-crl_lastupdate", "20200101000000Z", "-crl_nextupdate", "20200102000000Z"]));
    expect(await checker.check([leaf("root", "stale", "/stale.crl"), root.cert])).toMatch(/past its next update/);
  });

  it("asks once more when a connection closes with no reply, and names the reason when the second fails too", async () => {
    served.set("/dropped.crl", crl(root.config));
    dropOnce.add("/dropped.crl");
    expect(await checker.check([leaf("root", "dropped", "/dropped.crl"), root.cert])).toBeNull();
    expect(dropOnce.size).toBe(0);
    const closed = `http://127.0.0.1:${await closedPort()}/gone.crl`;
    expect(await checker.check([leaf("root", "gone", "/gone.crl", closed), root.cert])).toMatch(/unknown: .*gone\.crl: fetch failed \(.*ECONNREFUSED.*\)/);
  });

  it("checks nothing for a certificate that is itself a trust anchor, and refuses a chain it cannot follow", async () => {
    expect(await checker.check([root.cert])).toBeNull();
    authority("stranger", "/CN=Stranger");
    expect(await checker.check([leaf("stranger", "strangers-leaf", "/root.crl")])).toMatch(/no issuer of "CN=strangers-leaf" is known/);
  });
});
