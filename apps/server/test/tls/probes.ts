import { readFileSync } from "node:fs";
import { connect as connectPlain } from "node:net";
import { connect as connectTls } from "node:tls";
import { nettyJars, runKazoo, runZkCli, type ProcessResult } from "@zkts/testkit";
import { type CertificateAuthority, type Identity, STORE_PASSWORD } from "./pki.js";

/** What a client saw of one connection: whether TLS came up, and the text the server wrote. */
export interface ProbeResult {
  handshake: "ok" | "refused" | "plain";
  answer: string;
}

const PROBE_TIMEOUT_MS = 5000;

/** Sends a four-letter word over TLS (with a client certificate, or none) and reads the answer. */
export function tlsWord(port: number, word: string, ca: CertificateAuthority, identity: Identity | null): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let handshake: ProbeResult["handshake"] = "refused";
    const socket = connectTls({
      host: "127.0.0.1",
      port,
      ca: readFileSync(ca.certPem),
      ...(identity === null ? {} : { key: readFileSync(identity.keyPem), cert: readFileSync(identity.certPem) }),
    });
    const done = () => resolve({ handshake, answer: Buffer.concat(chunks).toString("utf8") });
    socket.setTimeout(PROBE_TIMEOUT_MS, () => socket.destroy());
    socket.once("secureConnect", () => {
      handshake = "ok";
      socket.write(word);
    });
    socket.on("data", (c: Buffer) => chunks.push(c));
    // An error before secureConnect leaves the handshake "refused"; after it, the server
    // simply closed the connection.
    socket.on("error", () => undefined);
    socket.once("close", done);
  });
}

/** Sends a four-letter word in plain TCP and returns what comes back before the close. */
export function plainWord(port: number, word: string): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connectPlain({ host: "127.0.0.1", port });
    socket.setTimeout(PROBE_TIMEOUT_MS, () => socket.destroy());
    socket.once("connect", () => socket.write(word));
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.on("error", () => undefined);
    socket.once("close", () => resolve({ handshake: "plain", answer: Buffer.concat(chunks).toString("utf8") }));
  });
}

/**
 * The Java client's flags for a TLS session through Netty: zkCli.sh puts CLIENT_JVMFLAGS after
 * its own -cp, so a second -cp with Netty's jars replaces the one without them.
 */
export function javaTlsFlags(identity: Identity, ca: CertificateAuthority): string {
  return [
    "-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto",
    `-cp /etc/zookeeper/conf:/usr/share/java/zookeeper.jar:${nettyJars().join(":")}`,
    "-Dzookeeper.client.secure=true",
    "-Dzookeeper.clientCnxnSocket=org.apache.zookeeper.ClientCnxnSocketNetty",
    `-Dzookeeper.ssl.keyStore.location=${identity.keyStoreP12}`,
    `-Dzookeeper.ssl.keyStore.password=${STORE_PASSWORD}`,
    `-Dzookeeper.ssl.trustStore.location=${ca.trustStoreP12}`,
    `-Dzookeeper.ssl.trustStore.password=${STORE_PASSWORD}`,
  ].join(" ");
}

/** zkCli.sh over TLS with a client certificate; commands run in one session. */
export function zkCliTls(port: number, commands: string[], identity: Identity, ca: CertificateAuthority): Promise<ProcessResult> {
  return runZkCli(`127.0.0.1:${port}`, commands, { env: { CLIENT_JVMFLAGS: javaTlsFlags(identity, ca) }, timeoutMs: 30_000 });
}

/** Runs a kazoo script with `client` connected over TLS (use_ssl with certfile, keyfile, ca). */
export function kazooTls(port: number, body: string, identity: Identity, ca: CertificateAuthority): Promise<ProcessResult> {
  const script = `
from kazoo.client import KazooClient
client = KazooClient(hosts="127.0.0.1:${port}", use_ssl=True, verify_certs=True,
                     certfile=${JSON.stringify(identity.certPem)}, keyfile=${JSON.stringify(identity.keyPem)},
                     ca=${JSON.stringify(ca.certPem)}, timeout=10)
client.start(timeout=10)
try:
${body
  .split("\n")
  .map((l) => `    ${l}`)
  .join("\n")}
finally:
    client.stop()
`;
  return runKazoo(script, { timeoutMs: 30_000 });
}
