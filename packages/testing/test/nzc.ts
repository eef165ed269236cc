// node-zookeeper-client (npm), wrapped in promises: the suites use a ZooKeeper client that
// knows nothing of zkts, as a user of @zkts/testing might.
import zookeeper from "node-zookeeper-client";

export type NzcClient = ReturnType<typeof zookeeper.createClient>;
export const { CreateMode, State } = zookeeper;

export function call<T = unknown>(fn: (cb: (err: Error | null, ...rest: unknown[]) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, ...rest) => (err ? reject(err) : resolve(rest[0] as T))));
}

/** Connects and waits for the session, failing after `timeoutMs`. */
export async function nzcConnect(connectString: string, sessionTimeout = 10_000, timeoutMs = 10_000): Promise<NzcClient> {
  const client = zookeeper.createClient(connectString, { sessionTimeout, spinDelay: 50, retries: 0 });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`node-zookeeper-client did not connect to ${connectString}`)), timeoutMs);
    client.once("connected", () => {
      clearTimeout(timer);
      resolve();
    });
    client.connect();
  });
  return client;
}

/** Resolves with the next state event whose name is `name`, failing after `timeoutMs`. */
export function nextState(client: NzcClient, name: string, timeoutMs = 15_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${name} state within ${timeoutMs} ms`)), timeoutMs);
    const listener = (state: { getName(): string }) => {
      if (state.getName() !== name) return;
      clearTimeout(timer);
      client.removeListener("state", listener);
      resolve();
    };
    client.on("state", listener);
  });
}

export function sessionIdOf(client: NzcClient): bigint {
  return (client.getSessionId() as Buffer).readBigInt64BE(0);
}
