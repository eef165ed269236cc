import { connect } from "@zkts/client";
import { runKazoo, runZkCli } from "@zkts/testkit";

/** The Java CLI's speed flags plus the JAAS file (and the section, if not "Client"). */
export function javaClientFlags(jaasPath: string | null, section?: string): string {
  const flags = ["-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto"];
  if (jaasPath !== null) flags.push(`-Djava.security.auth.login.config=${jaasPath}`);
  if (section !== undefined) flags.push(`-Dzookeeper.sasl.clientconfig=${section}`);
  return flags.join(" ");
}

/** Lines of a zkCli.sh session that say who the client is and what it could do. */
const ZKCLI_FACTS =
  /^(ip|sasl|super|digest): |^'(sasl|world|digest)|^: |^Created|state:(SaslAuthenticated|AuthFailed)|Insufficient permission|KeeperErrorCode|^x$/;

/** Runs zkCli.sh commands under a JAAS file; returns the lines ZKCLI_FACTS picks, in order. */
export async function zkCliFacts(connectString: string, commands: string[], jaasPath: string | null, section?: string): Promise<string[]> {
  const result = await runZkCli(connectString, commands, { env: { CLIENT_JVMFLAGS: javaClientFlags(jaasPath, section) }, timeoutMs: 60_000 });
  return result
    .output!.split("\n")
    .map((l) => l.trim())
    .filter((l) => ZKCLI_FACTS.test(l));
}

/**
 * kazoo with `sasl_options` (DIGEST-MD5 through pure-sasl), or none: reads the ACL and data of
 * `path`, and reports the exception class of whatever failed.
 */
export async function kazooSasl(port: number, path: string, credentials: { username: string; password: string } | null): Promise<Record<string, unknown>> {
  const sasl =
    credentials === null
      ? ""
      : `, sasl_options={"mechanism": "DIGEST-MD5", "username": ${JSON.stringify(credentials.username)}, "password": ${JSON.stringify(credentials.password)}}`;
  const source = `
import json
import logging
from kazoo.client import KazooClient
out = {}

# kazoo's connection thread logs a refused SASL exchange, whichever of start() and the first
# request then reports it (that depends on which of kazoo's threads runs first).
class AuthFailedSeen(logging.Handler):
    def emit(self, record):
        if "AUTH_FAILED" in record.getMessage():
            out["authFailed"] = True
logging.getLogger().addHandler(AuthFailedSeen())
logging.getLogger().setLevel(logging.WARNING)
zk = KazooClient(hosts="127.0.0.1:${port}", timeout=10, connection_retry={"max_tries": 0}${sasl})
try:
    # Generous: a loaded machine has made the reference server's SASL handshake take over 8 s.
    zk.start(timeout=25)
    try:
        acls, _ = zk.get_acls(${JSON.stringify(path)})
        out["acl"] = [[a.id.scheme, a.id.id, a.perms] for a in acls]
        out["data"] = zk.get(${JSON.stringify(path)})[0].decode()
    except Exception as e:
        out["readError"] = type(e).__name__
    zk.stop()
except Exception as e:
    out["startError"] = type(e).__name__
print(json.dumps(out))
`;
  const result = await runKazoo(source, { timeoutMs: 60_000 });
  const line = result.stdout.trim().split("\n").pop() ?? "";
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return { unparsable: result.output };
  }
}

/** @zkts/client with SASL: whoAmI and the ACL and data of `path`, or the error code that ended it. */
export async function zktsClientSasl(port: number, path: string, username: string, password: string): Promise<Record<string, unknown>> {
  try {
    const client = await connect(`127.0.0.1:${port}`, { sasl: { username, password }, sessionTimeoutMs: 6000, connectAttemptsMax: 2 });
    try {
      const whoAmI = await client.whoAmI();
      const { acl } = await client.getACL(path);
      const { data } = await client.getData(path);
      return { whoAmI, acl: acl.map((a) => [a.id.scheme, a.id.id, a.perms]), data: data?.toString() ?? null };
    } catch (err) {
      return { error: (err as { code?: number }).code };
    } finally {
      await client.close();
    }
  } catch (err) {
    return { connectError: (err as { code?: number }).code };
  }
}
