/**
 * A reconfig on the wire: readWrite decodes its ReconfigRequest, and its reply is what
 * ZooKeeper's FinalRequestProcessor sends, a GetDataResponse with the configuration text and
 * /zookeeper/config's stat.
 */
import { CONFIG_PATH, DataTree, Preparer, hasSyncedQuorum } from "@zkts/datatree";
import { GetDataResponse, JuteReader, JuteWriter, OpCode, ReconfigRequest } from "@zkts/jute";
import { describe, expect, it } from "vitest";
import { readWrite, replyForWrite } from "../src/write-requests.js";

const THREE =
  "server.1=127.0.0.1:2001:3001:participant;127.0.0.1:4001\n" +
  "server.2=127.0.0.1:2002:3002:participant;127.0.0.1:4002\n" +
  "server.3=127.0.0.1:2003:3003:participant;127.0.0.1:4003\n" +
  "version=100000000";

describe("reconfig requests and replies", () => {
  it("decodes the request, and answers with the new configuration and the node's stat", () => {
    const w = new JuteWriter(64);
    const sent = { joiningServers: null, leavingServers: "3", newMembers: null, curConfigId: 0x100000000n };
    ReconfigRequest.write(w, sent);
    const payload = w.toBuffer();
    const write = readWrite(OpCode.reconfig, new JuteReader(payload, 0, payload.length, 0xfffff));
    expect(write).toEqual({ type: OpCode.reconfig, request: sent });

    const tree = new DataTree();
    tree.setData(CONFIG_PATH, Buffer.from(THREE), -1, 0x100000000n, 0n);
    const preparer = new Preparer(tree, {
      auth: { skipAcl: true },
      extendedTypesEnabled: false,
      enforceQuota: false,
      reconfigEnabled: true,
      reconfigLeader: {
        standaloneEnabled: true,
        reconfigInProgress: () => false,
        hasSyncedQuorumOf: (config) => hasSyncedQuorum(config, [1, 2, 3]),
      },
    });
    const zxid = 0x100000007n;
    const body = preparer.prepare(write!, { sessionId: 1n, authInfo: [], zxid, time: 5n });
    const rc = tree.applyTxn({ clientId: 1n, cxid: 1, zxid, time: 5n, type: body.type }, body);
    const reply = replyForWrite(OpCode.reconfig, body, rc, zxid);
    expect(reply.err).toBe(0);
    const out = new JuteWriter(256);
    reply.body!(out);
    const bytes = out.toBuffer();
    const response = GetDataResponse.read(new JuteReader(bytes, 0, bytes.length, 0xfffff));
    expect(response.data!.toString()).toBe(
      "server.1=127.0.0.1:2001:3001:participant;127.0.0.1:4001\n" + "server.2=127.0.0.1:2002:3002:participant;127.0.0.1:4002\n" + "version=100000007",
    );
    expect(response.stat).toMatchObject({ version: -1, mzxid: zxid, mtime: 5n, dataLength: response.data!.length });
  });

  it("answers a refused reconfig with its error alone", () => {
    const tree = new DataTree();
    const preparer = new Preparer(tree, { auth: {}, extendedTypesEnabled: false, enforceQuota: false, reconfigEnabled: false });
    const write = { type: OpCode.reconfig, request: { joiningServers: null, leavingServers: "3", newMembers: null, curConfigId: -1n } } as const;
    const body = preparer.prepare(write, { sessionId: 1n, authInfo: [], zxid: 1n, time: 0n });
    const rc = tree.applyTxn({ clientId: 1n, cxid: 1, zxid: 1n, time: 0n, type: body.type }, body);
    expect(replyForWrite(OpCode.reconfig, body, rc, 1n)).toEqual({ err: -123, zxid: 1n, body: null });
  });
});
