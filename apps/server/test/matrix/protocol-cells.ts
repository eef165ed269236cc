import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Cell } from "./cell.js";
import { runProgram } from "./run-program.js";

/**
 * Version negotiation: a byte-level client of each protocol generation (node/protocol-versions.mjs),
 * so the handshake every older client library sends is covered even where no such library is
 * installed.
 */
const here = dirname(fileURLToPath(import.meta.url));
const program = join(here, "node", "protocol-versions.mjs");

function generation(version: "3.4" | "3.5" | "3.6", covers: string): Cell {
  return {
    client: `wire protocol, ${version}-style client`,
    name: `protocol-${version}`,
    covers,
    run: (connectString) => runProgram(process.execPath, [program, connectString, version]),
    notInEnsemble:
      "a byte-level client holds one TCP connection to the first server of its connect string and has no reconnection logic (moving a session is a client library's work), so a leader's death would only end its connection",
  };
}

export const protocolCells: Cell[] = [
  generation("3.4", "ConnectRequest without the readOnly byte (answer has none either), create, ephemeral, getData watch, exists, ping, closeSession"),
  generation("3.5", "the 3.4 session with the readOnly byte, plus create2, createContainer, createTTL refused without extended types, setWatches"),
  generation("3.6", "the 3.5 session plus addWatch PERSISTENT_RECURSIVE, getEphemerals, getAllChildrenNumber"),
];
