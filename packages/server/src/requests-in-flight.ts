/**
 * The requests a server has taken from all its client connections and not yet answered, held
 * against globalOutstandingLimit. As in ZooKeeper 3.8, once more than the limit are in flight,
 * a connection with a request of its own in flight stops being read until that request is
 * answered (or the total falls back), so the clients pushing hardest wait first and nobody is
 * refused. Requests parked behind a client that does not read its replies are not counted:
 * they cost the server no work, and a client must not be able to slow every other one down by
 * not reading.
 */
export class RequestsInFlight {
  private count = 0;

  constructor(readonly limit: number) {}

  get total(): number {
    return this.count;
  }

  /** Moves one connection's share by `delta` (its in-flight count now minus before). */
  add(delta: number): void {
    this.count += delta;
  }

  /** Whether a connection with `own` requests in flight should stop being read. */
  shouldThrottle(own: number): boolean {
    return this.count > this.limit && own > 0;
  }
}
