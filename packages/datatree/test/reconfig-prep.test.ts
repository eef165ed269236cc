/**
 * The Preparer's reconfig: ZooKeeper's order of checks (enabled, ensemble, no reconfig in
 * flight, version, new configuration, synced quorum, and WRITE on /zookeeper/config last), and
 * the transaction it makes: a setData of /zookeeper/config with the new text and version -1.
 */
import { ErrorCode, OpCode, type ReconfigRequest } from "@zkts/jute";
import { describe, expect, it } from "vitest";
import {
  CONFIG_PATH,
  type EnsembleConfig,
  type PrepConfig,
  type ReconfigLeader,
  type WriteRequest,
  digestOf,
  hasSyncedQuorum,
  parseEnsembleConfig,
} from "../src/index.js";
import { ALICE_IDS, Harness, S1, type SessionInfo } from "./support.js";

const THREE =
  "server.1=127.0.0.1:2001:3001:participant;127.0.0.1:4001\n" +
  "server.2=127.0.0.1:2002:3002:participant;127.0.0.1:4002\n" +
  "server.3=127.0.0.1:2003:3003:participant;127.0.0.1:4003\n" +
  "version=100000000";

const SUPER_DIGEST = digestOf("super:secret");
const ROOT: SessionInfo = {
  sessionId: S1,
  authInfo: [
    { scheme: "super", id: "" },
    { scheme: "digest", id: SUPER_DIGEST },
  ],
};
const ALICE: SessionInfo = { sessionId: S1, authInfo: ALICE_IDS };

function reconfigOp(request: Partial<ReconfigRequest>): WriteRequest {
  return { type: OpCode.reconfig, request: { joiningServers: null, leavingServers: null, newMembers: null, curConfigId: -1n, ...request } };
}

/** A leader whose members 1, 2 and 3 are synced; `inProgress` says whether a reconfig is in flight. */
function leader(state: { inProgress?: boolean; seen?: EnsembleConfig[] } = {}): ReconfigLeader {
  return {
    standaloneEnabled: true,
    reconfigInProgress: () => state.inProgress ?? false,
    hasSyncedQuorumOf: (config) => {
      state.seen?.push(config);
      return hasSyncedQuorum(config, [1, 2, 3]);
    },
  };
}

/** A harness whose /zookeeper/config holds THREE, as an ensemble keeps it. */
function ensembleHarness(config: Partial<PrepConfig> = {}): Harness {
  const h = new Harness({ auth: { superDigest: SUPER_DIGEST }, reconfigEnabled: true, reconfigLeader: leader(), ...config });
  h.tree.setData(CONFIG_PATH, Buffer.from(THREE), -1, 0x100000000n, 0n);
  return h;
}

describe("Preparer: reconfig", () => {
  it("RECONFIGDISABLED when off, UNIMPLEMENTED on a standalone server, RECONFIGINPROGRESS while one is in flight", () => {
    const remove3 = reconfigOp({ leavingServers: "3" });
    expect(ensembleHarness({ reconfigEnabled: false }).run(remove3, ROOT).err).toBe(ErrorCode.RECONFIGDISABLED);
    expect(ensembleHarness({ reconfigLeader: null }).run(remove3, ROOT).err).toBe(ErrorCode.UNIMPLEMENTED);
    const busy = ensembleHarness({ reconfigLeader: leader({ inProgress: true }) });
    // Even a bad version is not looked at while a reconfig is in flight.
    expect(busy.run(reconfigOp({ leavingServers: "3", curConfigId: 7n }), ROOT).err).toBe(ErrorCode.RECONFIGINPROGRESS);
  });

  it("makes a setData of /zookeeper/config with the new text at the txn's zxid and version -1", () => {
    const h = ensembleHarness();
    const prepared = h.prepare(reconfigOp({ joiningServers: "server.4=127.0.0.1:2004:3004:observer;127.0.0.1:4004" }), ROOT);
    const zxid = prepared.header.zxid;
    const text = `${THREE.replace(/version=.*/, "")}server.4=127.0.0.1:2004:3004:observer;127.0.0.1:4004\nversion=${zxid.toString(16)}`;
    expect(prepared.body).toEqual({ type: OpCode.reconfig, txn: { path: CONFIG_PATH, data: Buffer.from(text), version: -1 } });
    const outcome = h.applyNext();
    expect(outcome.err).toBe(0);
    expect(outcome.result.stat).toMatchObject({ version: -1, mzxid: zxid, dataLength: text.length });
    expect(h.tree.getNode(CONFIG_PATH)!.data!.toString()).toBe(text);
  });

  it("checks the version, the new configuration and the synced quorum before WRITE on /zookeeper/config", () => {
    const h = ensembleHarness();
    const anonymous = { sessionId: S1, authInfo: [] };
    expect(h.run(reconfigOp({ leavingServers: "3", curConfigId: 5n }), anonymous).err).toBe(ErrorCode.BADVERSION);
    expect(h.run(reconfigOp({ joiningServers: "server.4=garbage" }), anonymous).err).toBe(ErrorCode.BADARGUMENTS);
    expect(h.run(reconfigOp({ leavingServers: "x" }), anonymous).err).toBe(ErrorCode.MARSHALLINGERROR);
    const deadVoters = "server.5=127.0.0.1:1:2;3,server.6=127.0.0.1:4:5;6,server.7=127.0.0.1:7:8;9,server.8=127.0.0.1:10:11;12";
    expect(h.run(reconfigOp({ joiningServers: deadVoters }), anonymous).err).toBe(ErrorCode.NEWCONFIGNOQUORUM);
    expect(h.run(reconfigOp({ leavingServers: "3" }), anonymous).err).toBe(ErrorCode.NOAUTH);
    expect(h.run(reconfigOp({ leavingServers: "3" }), ALICE).err).toBe(ErrorCode.NOAUTH);
    expect(h.tree.getNode(CONFIG_PATH)!.data!.toString()).toBe(THREE);
    expect(h.run(reconfigOp({ leavingServers: "3", curConfigId: 0x100000000n }), ROOT).err).toBe(0);
  });

  it("lets anyone reconfigure with skipACL", () => {
    const h = ensembleHarness({ auth: { skipAcl: true } });
    expect(h.run(reconfigOp({ leavingServers: "3" })).err).toBe(0);
  });

  it("asks the leader about the synced quorum of the new configuration", () => {
    const seen: EnsembleConfig[] = [];
    const h = ensembleHarness({ reconfigLeader: leader({ seen }) });
    h.ok(reconfigOp({ joiningServers: "server.4=127.0.0.1:2004:3004;127.0.0.1:4004" }), ROOT);
    expect(seen.map((c) => c.servers.map((s) => s.id))).toEqual([[1, 2, 3, 4]]);
  });

  it("starts from a reconfig prepared but not yet applied, and a failed one leaves nothing behind", () => {
    const h = ensembleHarness();
    const first = h.prepare(reconfigOp({ leavingServers: "3" }), ROOT);
    expect(h.preparer.outstandingCount).toBe(1);
    const failed = h.prepare(reconfigOp({ leavingServers: "3", curConfigId: 0x100000000n }), ROOT);
    expect(failed.body).toEqual({ type: OpCode.error, txn: { err: ErrorCode.BADVERSION } });
    expect(h.preparer.outstandingCount).toBe(1);
    const second = h.prepare(reconfigOp({ joiningServers: "server.3=127.0.0.1:2003:3003:observer;127.0.0.1:4003", curConfigId: first.header.zxid }), ROOT);
    expect(second.body.type).toBe(OpCode.reconfig);
    h.applyAll();
    const config = parseEnsembleConfig(h.tree.getNode(CONFIG_PATH)!.data!.toString());
    expect(config.version).toBe(second.header.zxid);
    expect(config.servers.map((s) => `${s.id}:${s.role}`)).toEqual(["1:participant", "2:participant", "3:observer"]);
  });
});
