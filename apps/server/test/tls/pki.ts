import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * A throwaway public key infrastructure made at run time with Debian's openssl (and keytool for
 * JKS, on request): a CA, certificates it signs for 127.0.0.1, and each identity as PEM and
 * PKCS12 stores with one password, as both servers and every client read them.
 */
export const STORE_PASSWORD = "testpass";

export interface Identity {
  /** PEM files. */
  keyPem: string;
  certPem: string;
  /** Key and certificate in one PEM file (ZooKeeper's PEM key store). */
  keyStorePem: string;
  /** Key, certificate and its CA in a PKCS12 store. */
  keyStoreP12: string;
}

export interface CertificateAuthority {
  name: string;
  certPem: string;
  keyPem: string;
  /** A PKCS12 trust store holding only this CA's certificate. */
  trustStoreP12: string;
}

export class Pki {
  readonly dir = mkdtempSync(join(tmpdir(), "zkts-pki-"));

  /** A self-signed CA; `name` is its common name and, without blanks, its files' name. */
  authority(name: string): CertificateAuthority {
    const file = name.replace(/\W+/g, "-");
    const keyPem = join(this.dir, `${file}.key`);
    const certPem = join(this.dir, `${file}.pem`);
    openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", keyPem, "-out", certPem, "-days", "2", "-subj", `/CN=${name}`]);
    // keytool marks the certificate as trusted for Java (this openssl cannot).
    const trustStoreP12 = join(this.dir, `${file}-trust.p12`);
    keytool(["-importcert", "-noprompt", "-alias", "ca", "-file", certPem, "-keystore", trustStoreP12, "-storetype", "PKCS12", "-storepass", STORE_PASSWORD]);
    return { name, certPem, keyPem, trustStoreP12 };
  }

  /** The CA as a JKS trust store (keytool starts a JVM: made only when a test asks). */
  jksTrustStore(ca: CertificateAuthority): string {
    const path = join(this.dir, `${ca.name.replace(/\W+/g, "-")}-trust.jks`);
    keytool(["-importcert", "-noprompt", "-alias", "ca", "-file", ca.certPem, "-keystore", path, "-storetype", "JKS", "-storepass", STORE_PASSWORD]);
    return path;
  }

  /** An identity's key store as JKS. */
  jksKeyStore(identity: Identity, name: string): string {
    const path = join(this.dir, `${name}.jks`);
    keytool([
      "-importkeystore",
      "-noprompt",
      "-srckeystore",
      identity.keyStoreP12,
      "-srcstoretype",
      "PKCS12",
      "-srcstorepass",
      STORE_PASSWORD,
      "-destkeystore",
      path,
      "-deststoretype",
      "JKS",
      "-deststorepass",
      STORE_PASSWORD,
      "-destkeypass",
      STORE_PASSWORD,
    ]);
    return path;
  }

  /**
   * A certificate for `subject` (openssl's /K=V/... form) valid for 127.0.0.1, signed by `ca`;
   * `extensions` are more openssl extension lines (e.g. crlDistributionPoints=URI:...).
   */
  identity(ca: CertificateAuthority, name: string, subject: string, extensions: string[] = []): Identity {
    const keyPem = join(this.dir, `${name}.key`);
    const csr = join(this.dir, `${name}.csr`);
    const certPem = join(this.dir, `${name}.crt`);
    const ext = join(this.dir, `${name}.ext`);
    openssl(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", keyPem, "-out", csr, "-subj", subject]);
    writeFileSync(ext, ["subjectAltName=IP:127.0.0.1", "extendedKeyUsage=serverAuth,clientAuth", ...extensions].join("\n") + "\n");
    openssl(["x509", "-req", "-in", csr, "-CA", ca.certPem, "-CAkey", ca.keyPem, "-CAcreateserial", "-out", certPem, "-days", "2", "-extfile", ext]);
    const keyStorePem = join(this.dir, `${name}-keystore.pem`);
    writeFileSync(keyStorePem, readFileSync(keyPem, "utf8") + readFileSync(certPem, "utf8"));
    const keyStoreP12 = join(this.dir, `${name}.p12`);
    openssl([
      "pkcs12",
      "-export",
      "-in",
      certPem,
      "-inkey",
      keyPem,
      "-certfile",
      ca.certPem,
      "-out",
      keyStoreP12,
      "-passout",
      `pass:${STORE_PASSWORD}`,
      "-name",
      name,
    ]);
    return { keyPem, certPem, keyStorePem, keyStoreP12 };
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function openssl(args: string[]): void {
  execFileSync("openssl", args, { stdio: "ignore" });
}

function keytool(args: string[]): void {
  execFileSync("keytool", args, { stdio: "ignore" });
}

/** zoo.cfg keys for a TLS group (`ssl` or `ssl.quorum`) using PKCS12 stores. */
export function storeKeys(prefix: string, keyStore: string, trustStore: string): Record<string, string> {
  return {
    [`${prefix}.keyStore.location`]: keyStore,
    [`${prefix}.keyStore.password`]: STORE_PASSWORD,
    [`${prefix}.trustStore.location`]: trustStore,
    [`${prefix}.trustStore.password`]: STORE_PASSWORD,
  };
}
