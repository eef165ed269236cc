import type { Socket } from "node:net";

/**
 * Writes to `socket`, gathering every write made in the same tick into one system call
 * (cork now, uncork on the next tick): a leader's Ready carries a PROPOSAL or COMMIT per
 * transaction for every learner, and a write each would cost more than the messages.
 */
export function writeCorked(socket: Socket, bytes: Buffer): void {
  if (socket.writableCorked === 0) {
    socket.cork();
    process.nextTick(() => socket.uncork());
  }
  socket.write(bytes);
}
