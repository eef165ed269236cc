import { type EnsembleMember, fourLetterWord } from "@zkts/testkit";
import { expect } from "vitest";

/** The `Mode:` each member's srvr reports, or null for one that does not serve (or does not answer). */
export async function modesOf(members: readonly EnsembleMember[]): Promise<(string | null)[]> {
  const answers = await Promise.all(members.map((m) => fourLetterWord("127.0.0.1", m.server.port, "srvr", 2000).catch(() => "")));
  return answers.map((a) => /^Mode: (\w+)$/m.exec(a)?.[1] ?? null);
}

/** The two members kept serve as a leader and a follower; the one kept out serves no mode at all. */
export async function expectServingWithout(kept: readonly [EnsembleMember, EnsembleMember], keptOut: EnsembleMember | null): Promise<void> {
  const modes = await modesOf(keptOut === null ? kept : [...kept, keptOut]);
  expect(modes.slice(0, 2).sort()).toEqual(["follower", "leader"]);
  if (keptOut !== null) expect(modes[2], `member ${keptOut.id}`).toBeNull();
}
