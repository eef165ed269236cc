/**
 * Values kept per client request, found by session id and cxid. Keyed by session first: a
 * composite string key would print the 64-bit session id in decimal on every write.
 */
export class ByRequest<T> {
  private readonly bySession = new Map<bigint, Map<number, T>>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  set(sessionId: bigint, cxid: number, value: T): void {
    let requests = this.bySession.get(sessionId);
    if (requests === undefined) {
      requests = new Map();
      this.bySession.set(sessionId, requests);
    }
    if (!requests.has(cxid)) this.count += 1;
    requests.set(cxid, value);
  }

  /** Removes and returns the value for the request, if there is one. */
  take(sessionId: bigint, cxid: number): T | undefined {
    const requests = this.bySession.get(sessionId);
    const value = requests?.get(cxid);
    if (value === undefined) return undefined;
    requests!.delete(cxid);
    this.count -= 1;
    return value;
  }

  /** Forgets a session: its requests and the map that held them (kept while it lives). */
  dropSession(sessionId: bigint): void {
    const requests = this.bySession.get(sessionId);
    if (requests === undefined) return;
    this.count -= requests.size;
    this.bySession.delete(sessionId);
  }

  clear(): void {
    this.bySession.clear();
    this.count = 0;
  }
}
