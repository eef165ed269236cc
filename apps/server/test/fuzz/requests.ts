import { Bytes } from "./bytes.js";
import type { FuzzRandom } from "./random.js";

/** Everything valid fuzz requests may create lives under this znode (the test opens it to all). */
export const FUZZ_ROOT = "/fuzz";

const NAMES = ["a", "b", "c", "lock-", "n", "x"];
const SCHEMES = ["world", "digest", "ip", "auth", "super", "sasl", "x509", "zkts", "", "nope"];
const HUGE = [0x7fffffff, 0x100000, 0xfffff, 0xffff0, -1, -2, -0x80000000, 1 << 30];

/** Ops the generator asks for, by ZooKeeper opcode, including server-internal and unknown ones. */
const OPCODES = [1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 100, 101, 102, 103, 104, 105, 106, 107];

/**
 * A path for a request: usually a short one under /fuzz so creates, watches and deletes meet
 * each other; sometimes hostile (null, empty, relative, deep, long, NUL, invalid UTF-8,
 * outside /fuzz where the test's ACLs must hold).
 */
export function fuzzPath(r: FuzzRandom, plain = false): string | Buffer | null {
  const roll = r.below(100);
  if (plain || roll < 70) {
    const depth = r.between(0, 3);
    let p = FUZZ_ROOT;
    for (let i = 0; i < depth; i++) p += `/${r.pick(NAMES)}${r.below(4)}`;
    return p;
  }
  switch (roll % 15) {
    case 0:
      return null;
    case 1:
      return "";
    case 2:
      return "/";
    case 3:
      return `${FUZZ_ROOT}/${"d/".repeat(r.chance(0.05) ? r.between(1000, 5000) : r.between(10, 200))}x`;
    case 4:
      return `${FUZZ_ROOT}/${"L".repeat(r.chance(0.05) ? r.between(10_000, 200_000) : r.between(256, 2000))}`;
    case 5:
      return Buffer.concat([Buffer.from(`${FUZZ_ROOT}/`), r.bytes(r.between(1, 16))]);
    case 6:
      return `${FUZZ_ROOT}/nul\u0000byte`;
    case 7:
      return `${FUZZ_ROOT}/../escape`;
    case 8:
      return `${FUZZ_ROOT}/trailing/`;
    case 9:
      return `/outside-${r.below(10)}`;
    case 10:
      return r.pick(["/zookeeper", "/zookeeper/quota", "/zookeeper/config", `/zookeeper/quota${FUZZ_ROOT}`]);
    case 11:
      return Buffer.from([0x2f, 0xc3, 0x28, 0xed, 0xa0, 0x80, 0xff]);
    case 12:
      return `${FUZZ_ROOT}/\ud800lone-surrogate`;
    case 13:
      return "relative/path";
    default:
      return `${FUZZ_ROOT}/${"\u00e9".repeat(r.between(1, 300))}`;
  }
}

function data(r: FuzzRandom, plain = false): Buffer | null {
  if (plain) return r.bytes(r.below(8));
  const roll = r.below(400);
  if (roll < 5) return null;
  if (roll === 5) return Buffer.alloc(r.between(100_000, 1_040_000));
  return r.bytes(r.below(64));
}

/** A count or length field: usually honest, sometimes huge or negative. */
function hostileCount(r: FuzzRandom, honest: number): number {
  return r.chance(0.1) ? r.pick(HUGE) : honest;
}

function writeAcl(b: Bytes, r: FuzzRandom): void {
  const roll = r.below(40);
  if (roll === 0) {
    b.int(-1);
    return;
  }
  if (roll === 1) {
    b.int(r.pick(HUGE));
    return;
  }
  const n = roll === 2 ? r.between(100, 3000) : r.between(0, 3);
  b.int(n);
  for (let i = 0; i < n; i++) {
    b.int(r.chance(0.8) ? 31 : r.int32());
    const scheme = r.pick(SCHEMES);
    b.str(r.chance(0.05) ? null : scheme);
    b.str(r.chance(0.05) ? null : r.pick(["anyone", "127.0.0.1", "10.0.0.0/99", "user:abc=", "::1/200", "", "x".repeat(r.below(n > 3 ? 8 : 500))]));
  }
}

function writeCreate(b: Bytes, r: FuzzRandom, ttl: boolean, plain = false): void {
  b.str(fuzzPath(r, plain)).str(data(r, plain));
  if (plain) b.int(1).int(31).str("world").str("anyone");
  else writeAcl(b, r);
  b.int(r.chance(0.85) ? r.between(0, 6) : r.int32());
  if (ttl) b.long(r.chance(0.7) ? BigInt(r.between(1, 100_000)) : r.int64());
}

function writeWatchList(b: Bytes, r: FuzzRandom, many: boolean): void {
  if (r.chance(0.05)) {
    b.int(-1);
    return;
  }
  const n = many ? r.between(1000, 5000) : r.between(0, 5);
  b.int(hostileCount(r, n));
  for (let i = 0; i < n; i++) {
    if (r.chance(0.01)) b.int(-1);
    else b.str(many ? `${FUZZ_ROOT}/w${i}/${"p".repeat(r.below(40))}` : (fuzzPath(r) as string | null));
  }
}

/** One sub-request of a multi: a header then its record; sometimes a lying header. */
function writeMultiOp(b: Bytes, r: FuzzRandom, reads: boolean, plain: boolean): void {
  const type = reads ? r.pick([4, 8]) : r.pick([1, 2, 5, 13, 15, 19, 21, r.int32()]);
  b.int(type)
    .bool(r.chance(0.03) ? 1 : 0)
    .int(r.chance(0.9) ? -1 : r.int32());
  switch (type) {
    case 1:
    case 15:
    case 19:
      writeCreate(b, r, false, plain);
      return;
    case 21:
      writeCreate(b, r, true, plain);
      return;
    case 2:
    case 13:
      b.str(fuzzPath(r, plain)).int(r.chance(0.8) ? -1 : r.between(0, 3));
      return;
    case 5:
      b.str(fuzzPath(r, plain))
        .str(data(r, plain))
        .int(r.chance(0.8) ? -1 : r.between(0, 3));
      return;
    case 4:
    case 8:
      b.str(fuzzPath(r, plain)).bool(r.chance(0.3));
      return;
    default:
      b.raw(r.bytes(r.below(32)));
  }
}

/** A multi: a few ops with hostile values, or now and then a giant one of thousands of plain ops. */
function writeMulti(b: Bytes, r: FuzzRandom, reads: boolean): void {
  const giant = r.chance(0.02);
  const n = giant ? (r.chance(0.1) ? r.between(5000, 20_000) : r.between(1000, 3000)) : r.between(0, 8);
  for (let i = 0; i < n; i++) writeMultiOp(b, r, reads && r.chance(0.95), giant);
  if (r.chance(0.95)) b.int(-1).bool(1).int(-1);
}

/** A request payload (RequestHeader and record) for `opcode`, with hostile values mixed in. */
export function requestPayload(r: FuzzRandom, xid: number, opcode = r.pick(OPCODES)): Buffer {
  const b = new Bytes();
  b.int(xid).int(opcode);
  switch (opcode) {
    case 1:
    case 15:
    case 19:
      writeCreate(b, r, false);
      break;
    case 21:
      writeCreate(b, r, true);
      break;
    case 2:
    case 13:
      b.str(fuzzPath(r)).int(r.chance(0.8) ? -1 : r.int32());
      break;
    case 3:
    case 4:
    case 8:
    case 12:
      b.str(fuzzPath(r)).bool(r.chance(0.9) ? r.chance(0.5) : r.below(256));
      break;
    case 5:
      b.str(fuzzPath(r))
        .str(data(r))
        .int(r.chance(0.8) ? -1 : r.int32());
      break;
    case 6:
    case 9:
    case 103:
    case 104:
      b.str(fuzzPath(r));
      break;
    case 7:
      b.str(fuzzPath(r));
      writeAcl(b, r);
      b.int(r.chance(0.8) ? -1 : r.int32());
      break;
    case 14:
      writeMulti(b, r, false);
      break;
    case 22:
      writeMulti(b, r, true);
      break;
    case 16:
      b.str(r.chance(0.5) ? null : "server.9=127.0.0.1:1:2")
        .str(r.chance(0.5) ? null : "1")
        .str(null)
        .long(r.int64());
      break;
    case 17:
    case 18:
      b.str(fuzzPath(r)).int(r.chance(0.8) ? r.between(1, 5) : r.int32());
      break;
    case 20:
      b.str(fuzzPath(r));
      break;
    case 100:
      b.int(r.int32())
        .str(r.pick([...SCHEMES, null]))
        .str(r.chance(0.2) ? null : r.bytes(r.below(100)));
      break;
    case 101:
    case 105: {
      const many = r.chance(0.02);
      b.long(r.chance(0.8) ? 0n : r.int64());
      const lists = opcode === 105 ? 5 : 3;
      for (let i = 0; i < lists; i++) writeWatchList(b, r, many && i === 0);
      break;
    }
    case 102:
      b.str(r.chance(0.3) ? null : r.bytes(r.below(200)));
      break;
    case 106:
      b.str(fuzzPath(r)).int(r.chance(0.8) ? r.below(2) : r.int32());
      break;
    default:
      b.raw(r.bytes(r.below(64)));
  }
  // Some records come with their tail cut off or with junk after them.
  const payload = b.build();
  const roll = r.below(40);
  if (roll === 0) return payload.subarray(0, r.below(payload.length + 1));
  if (roll === 1) return Buffer.concat([payload, r.bytes(r.between(1, 64))]);
  return payload;
}

/** A ConnectRequest: usually a fresh session; sometimes forged ids, passwords and timeouts. */
export function connectPayload(r: FuzzRandom): Buffer {
  const b = new Bytes();
  const hostile = r.chance(0.15);
  b.int(hostile ? r.int32() : 0);
  b.long(hostile && r.chance(0.5) ? r.int64() : 0n);
  b.int(hostile ? r.pick([0, -1, 1, 0x7fffffff, r.int32()]) : 4000);
  b.long(hostile && r.chance(0.5) ? r.int64() : 0n);
  b.str(hostile && r.chance(0.3) ? r.pick([null, Buffer.alloc(0), r.bytes(r.below(64))]) : Buffer.alloc(16));
  if (!hostile || r.chance(0.5)) b.bool(r.chance(0.9) ? 0 : r.below(256));
  return b.build();
}
