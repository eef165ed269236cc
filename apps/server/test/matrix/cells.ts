import type { Cell } from "./cell.js";
import { cCells } from "./c-cells.js";
import { cliCells } from "./cli-cells.js";
import { javaCells } from "./java-cells.js";
import { kazooCells } from "./kazoo-cells.js";
import { nodeCells } from "./node-cells.js";
import { protocolCells } from "./protocol-cells.js";
import type { MatrixNote } from "./render.js";

/** Every cell of the matrix, in the order docs/clients.md lists them. */
export const cells: Cell[] = [...kazooCells, ...javaCells, ...cCells, ...nodeCells, ...cliCells, ...protocolCells];

/** Clients and features left out of the matrix, with the reason, for docs/clients.md. */
export const notes: MatrixNote[] = [
  {
    client: "zkCli.sh and cli_mt",
    note: "their scripted sessions run against both servers in `apps/server/test/real-clients.test.ts` (cli_mt's lines compared sorted, since it prints from several threads), and zkCli.sh's newer commands beside zkts-cli's in `apps/cli/test/zkcli-parity.test.ts`; the libraries under them have their own cells.",
  },
  {
    client: "C client persistent watches",
    note: "the 3.8 C client has no call for addWatch, so `c-plain-api` covers one-shot watches and zoo_remove_watches; addWatch is covered by the Java cell and `protocol-3.6`.",
  },
  {
    client: "Apache Curator",
    note: "its jars come from Maven Central, which is not reachable here, and Debian does not package it.",
  },
  {
    client: "Go (go-zookeeper) and python3-zookeeper",
    note: "Debian packages them (golang-github-samuel-go-zookeeper-dev, golang-github-ngaut-go-zookeeper-dev, python3-zookeeper); no cells yet.",
  },
];
