import type { Cell } from "./cell.js";
import { cCells } from "./c-cells.js";
import { javaCells } from "./java-cells.js";
import { kazooCells } from "./kazoo-cells.js";
import { nodeCells } from "./node-cells.js";
import { protocolCells } from "./protocol-cells.js";
import type { MatrixNote } from "./render.js";

/** Every cell of the matrix, in the order docs/clients.md lists them. */
export const cells: Cell[] = [...kazooCells, ...javaCells, ...cCells, ...nodeCells, ...protocolCells];

/** Clients and features left out of the matrix, with the reason, for docs/clients.md. */
export const notes: MatrixNote[] = [];
