import { readdirSync } from "node:fs";
import { join } from "node:path";
import { CreateRequest, OpCode, SetDataRequest, writeMultiRequest } from "@zkts/jute";
import { type RunningServer, startReferenceZooKeeper, startZkts } from "@zkts/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compareTranscripts } from "./conformance/compare.js";
import { Recorder } from "./conformance/recorder.js";

/**
 * Nulls that reach the tree survive the transaction log and the snapshot: null data (create,
 * setData, inside a multi) and the ACL that kazoo's CREATOR_ALL_ACL, Id("auth", null), expands
 * to. Each server takes the writes, is killed with SIGKILL and restarted (recovery from the log),
 * takes enough writes for a snapshot (snapCount 2) and is restarted again (recovery from the
 * snapshot); what a client reads back must match ZooKeeper 3.8's, which goes through the same.
 */
const config = { snapCount: "2" };
let zkts: RunningServer;
let reference: RunningServer;

beforeAll(async () => {
  [zkts, reference] = await Promise.all([startZkts({ config }), startReferenceZooKeeper({ config })]);
}, 120_000);

afterAll(async () => {
  await Promise.all([zkts?.cleanup(), reference?.cleanup()]);
});

const root = "/null-durable";
const creatorAll = [{ perms: 31, id: { scheme: "auth", id: null } }];

async function write(r: Recorder, round: number): Promise<void> {
  await r.open("W");
  await r.session("W").request(
    OpCode.auth,
    (w) => {
      w.writeInt(0);
      w.writeUstring("digest");
      w.writeBuffer(Buffer.from("alice:secret"));
    },
    -4,
  );
  const base = `${root}${round}`;
  await r.send("W", OpCode.create, (w) => CreateRequest.write(w, { path: base, data: null, acl: creatorAll, flags: 0 }));
  await r.send("W", OpCode.create, (w) => CreateRequest.write(w, { path: `${base}/set`, data: Buffer.from("x"), acl: creatorAll, flags: 0 }));
  await r.send("W", OpCode.setData, (w) => SetDataRequest.write(w, { path: `${base}/set`, data: null, version: -1 }));
  await r.send("W", OpCode.multi, (w) =>
    writeMultiRequest(w, [
      { type: OpCode.create, request: { path: `${base}/multi`, data: null, acl: creatorAll, flags: 0 } },
      { type: OpCode.setData, request: { path: base, data: null, version: 0 } },
    ]),
  );
  await r.close("W");
}

async function readBack(r: Recorder, rounds: number): Promise<void> {
  await r.open("R");
  await r.session("R").request(
    OpCode.auth,
    (w) => {
      w.writeInt(0);
      w.writeUstring("digest");
      w.writeBuffer(Buffer.from("alice:secret"));
    },
    -4,
  );
  for (let round = 1; round <= rounds; round++) {
    for (const path of [`${root}${round}`, `${root}${round}/set`, `${root}${round}/multi`]) {
      await r.getData("R", path);
      await r.getACL("R", path);
    }
  }
  await r.close("R");
}

async function phase(server: RunningServer, recorder: Recorder, round: number): Promise<void> {
  await write(recorder, round);
  await server.kill();
  await server.restart();
  await readBack(recorder, round);
}

describe("null data and CREATOR_ALL_ACL through the log and the snapshot", () => {
  it("read back after recovery as on ZooKeeper 3.8", async () => {
    const transcripts = await Promise.all(
      [reference, zkts].map(async (server) => {
        const recorder = new Recorder(server.port);
        await recorder.begin();
        await phase(server, recorder, 1);
        await phase(server, recorder, 2);
        return recorder.transcript;
      }),
    );
    const [expected, actual] = transcripts as [unknown[], unknown[]];
    expect(compareTranscripts("null-durability", expected, actual, [])).toEqual([]);
    const nullData = actual.filter((e) => JSON.stringify(e).includes('"data":null'));
    expect(nullData.length).toBe(6 + 3);
    expect(JSON.stringify(actual)).toContain('"scheme":"digest","id":"alice:');
    const snapshots = readdirSync(join(zkts.dataDir, "version-2")).filter((f) => f.startsWith("snapshot."));
    expect(snapshots.length, "zkts took a snapshot after the first restart").toBeGreaterThan(1);
  }, 120_000);
});
