/**
 * Recorded reconfig answers of a real ZooKeeper 3.8 ensemble, and what zkts's Preparer answers
 * to the same requests. A recording holds, for each request, the configuration the ensemble had
 * just before it, and the answer: an error code, or the reply's config text and stat together
 * with the data /zookeeper/config holds afterwards. Replaying a step sets up /zookeeper/config
 * the way an ensemble keeps it, prepares the request with the zxid and time ZooKeeper gave it,
 * applies the transaction, and builds the same shape of answer.
 */
import { ErrorCode, OpCode, type Stat } from "@zkts/jute";
import { CONFIG_PATH, DataTree, Preparer, authenticate, hasSyncedQuorum, inLoadedOrder, parseEnsembleConfig, renderEnsembleConfig } from "../src/index.js";

export interface RecordedStat {
  czxid: number;
  mzxid: number;
  ctime: number;
  mtime: number;
  version: number;
  cversion: number;
  aversion: number;
  ephemeralOwner: number;
  dataLength: number;
  numChildren: number;
  pzxid: number;
}

export interface RecordedRequest {
  joining: string | null;
  leaving: string | null;
  newMembers: string | null;
  fromConfig: number;
}

export type RecordedAnswer = { err: number } | { data: string; stat: RecordedStat; node: string };

export interface RecordedStep {
  name: string;
  /** "super" sessions authenticated with digest super:<superPassword>. */
  auth: "none" | "super";
  /** The member the client was connected to. */
  via: "leader" | "follower";
  request: RecordedRequest;
  /** /zookeeper/config just before the request. */
  before: string;
  answer: RecordedAnswer;
}

export interface ReconfigRecording {
  recordedWith: string;
  superPassword: string;
  leaderId: number;
  /** Every member was up and synced with the leader throughout. */
  syncedIds: number[];
  /** /zookeeper/config as the ensemble started. */
  initial: { data: string; stat: RecordedStat };
  steps: RecordedStep[];
}

export const SUPER_DIGEST_USER = "super";

function superDigestOf(password: string): string {
  return authenticate("digest", Buffer.from(`${SUPER_DIGEST_USER}:${password}`), {})!.find((id) => id.scheme === "digest")!.id;
}

export function statOf(stat: Stat): RecordedStat {
  return {
    czxid: Number(stat.czxid),
    mzxid: Number(stat.mzxid),
    ctime: Number(stat.ctime),
    mtime: Number(stat.mtime),
    version: stat.version,
    cversion: stat.cversion,
    aversion: stat.aversion,
    ephemeralOwner: Number(stat.ephemeralOwner),
    dataLength: stat.dataLength,
    numChildren: stat.numChildren,
    pzxid: Number(stat.pzxid),
  };
}

/**
 * A tree whose /zookeeper/config holds `text` as ZooKeeper writes it when a configuration
 * becomes active: data set with version -1 at the configuration's version as mzxid.
 */
export function treeWithConfig(text: string, superDigest: string, time: bigint): DataTree {
  const tree = new DataTree({ auth: { superDigest } });
  tree.setData(CONFIG_PATH, Buffer.from(text), -1, parseEnsembleConfig(text).version, time);
  return tree;
}

/** zkts's answer to a recorded step. */
export function zktsAnswer(recording: ReconfigRecording, step: RecordedStep): RecordedAnswer {
  const superDigest = superDigestOf(recording.superPassword);
  const auth = { superDigest };
  const tree = treeWithConfig(step.before, superDigest, 0n);
  const preparer = new Preparer(tree, {
    auth,
    extendedTypesEnabled: false,
    enforceQuota: false,
    reconfigEnabled: true,
    reconfigLeader: {
      standaloneEnabled: true,
      reconfigInProgress: () => false,
      hasSyncedQuorumOf: (config) => hasSyncedQuorum(config, recording.syncedIds),
    },
  });
  const authInfo = step.auth === "super" ? authenticate("digest", Buffer.from(`${SUPER_DIGEST_USER}:${recording.superPassword}`), auth)! : [];
  // ZooKeeper gave the reconfig's transaction this zxid and time; a failed one's do not matter.
  const zxid = "stat" in step.answer ? BigInt(step.answer.stat.mzxid) : parseEnsembleConfig(step.before).version + 1n;
  const time = "stat" in step.answer ? BigInt(step.answer.stat.mtime) : 0n;
  const { request } = step;
  const body = preparer.prepare(
    {
      type: OpCode.reconfig,
      request: {
        joiningServers: request.joining,
        leavingServers: request.leaving,
        newMembers: request.newMembers,
        curConfigId: BigInt(request.fromConfig),
      },
    },
    { sessionId: 0x100n, authInfo, zxid, time },
  );
  const rc = tree.applyTxn({ clientId: 0x100n, cxid: 1, zxid, time, type: body.type }, body);
  if (body.type === OpCode.error) return { err: body.txn.err };
  if (body.type !== OpCode.reconfig || rc.err !== ErrorCode.OK) throw new Error(`unexpected ${body.type} / ${rc.err}`);
  const text = body.txn.data!.toString("utf8");
  // A member that did not propose the change answers with the text as it loaded it.
  const data = step.via === "leader" ? text : renderEnsembleConfig(inLoadedOrder(parseEnsembleConfig(text)));
  return { data, stat: statOf(rc.stat!), node: tree.getNode(CONFIG_PATH)!.data!.toString("utf8") };
}
