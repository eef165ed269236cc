/** The ensemble every driver builds, in zoo.cfg's terms. */
export interface EnsembleShape {
  voters: number;
  observers?: number;
  /** Default 200 ms: the lab wants failures noticed within a second or two. */
  tickTime?: number;
  /** In ticks; defaults 10 and 5. */
  initLimit?: number;
  syncLimit?: number;
  /** Extra keys for every member's zoo.cfg. */
  config?: Record<string, string>;
}

/** Where one member finds another: the addresses of its `server.N` line. */
export interface PeerView {
  readonly quorum: string;
  readonly election: string;
  readonly client: string;
}

/**
 * One member's zoo.cfg, identical in meaning for zkts and ZooKeeper 3.8: the same keys, and
 * `server.N` lines that give this member's own view of where each peer is (a proxy, in the lab).
 */
export function memberZooCfg(
  shape: EnsembleShape,
  id: number,
  dataDir: string,
  clientPort: number,
  viewOf: (peer: number) => PeerView,
  clientPortAddress = "127.0.0.1",
): Record<string, string> {
  const total = shape.voters + (shape.observers ?? 0);
  const role = (peer: number) => (peer <= shape.voters ? "participant" : "observer");
  const config: Record<string, string> = {
    tickTime: String(shape.tickTime ?? 200),
    initLimit: String(shape.initLimit ?? 10),
    syncLimit: String(shape.syncLimit ?? 5),
    dataDir,
    clientPort: String(clientPort),
    clientPortAddress,
    "4lw.commands.whitelist": "*",
    "admin.enableServer": "false",
  };
  for (let peer = 1; peer <= total; peer++) {
    const view = viewOf(peer);
    config[`server.${peer}`] = `${hostPort(view.quorum).host}:${hostPort(view.quorum).port}:${hostPort(view.election).port}:${role(peer)};${view.client}`;
    if (hostPort(view.quorum).host !== hostPort(view.election).host) {
      throw new Error(`server.${peer}: the quorum and election addresses must share a host (${view.quorum}, ${view.election})`);
    }
  }
  if (id > shape.voters) config.peerType = "observer";
  return { ...config, ...shape.config };
}

export function hostPort(address: string): { host: string; port: number } {
  const colon = address.lastIndexOf(":");
  return { host: address.substring(0, colon), port: Number(address.substring(colon + 1)) };
}

/** The `Mode:` of a srvr answer, or null when the member does not serve. */
export function modeFromSrvr(answer: string): string | null {
  return /^Mode: ([\w-]+)$/m.exec(answer)?.[1] ?? null;
}
