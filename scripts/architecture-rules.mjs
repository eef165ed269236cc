// The import directions and the deterministic cores of shared/ARCHITECTURE.md, written down once.
// scripts/check-architecture.mjs (npm test's lint task) enforces them on the sources, and
// packages/testkit/test/architecture.test.ts checks the package.json files against them.

/**
 * The zkts packages each workspace package may depend on at run time: ARCHITECTURE.md's
 * "may import" column, plus the packages the page does not name yet, each with its reason.
 */
export const ALLOWED = {
  "@zkts/jute": [],
  // Java properties, server.N lines and the one member type: zoo.cfg and the dynamic
  // configuration read with one parser; jute gives its errors their codes.
  "@zkts/config": ["@zkts/jute"],
  "@zkts/datatree": ["@zkts/jute", "@zkts/config"],
  "@zkts/zab": [],
  "@zkts/storage": ["@zkts/jute"],
  // SASL mechanisms (DIGEST-MD5) as pure functions over bytes, for the server and the client.
  "@zkts/sasl": [],
  "@zkts/server": ["@zkts/jute", "@zkts/datatree", "@zkts/zab", "@zkts/storage", "@zkts/sasl", "@zkts/config"],
  "@zkts/client": ["@zkts/jute", "@zkts/sasl"],
  "@zkts/recipes": ["@zkts/client"],
  "@zkts/checker": ["@zkts/cli-args"],
  "@zkts/testkit": [],
  // The embedded test server for Node users: zkts's own server, in the test's process.
  "@zkts/testing": ["@zkts/server"],
  // The commands' shared argument layer (--help, --version, usage errors).
  "@zkts/cli-args": [],
  // Packs the packages and installs the tarballs elsewhere: it imports none of them.
  "@zkts/install-test": [],
  // The server command also reads data files for operators (snapshot, txnlog, verify: storage,
  // jute, and datatree for the digest), reads zoo.cfg with config, and speaks SASL's JAAS
  // configuration.
  "zkts-server": ["@zkts/server", "@zkts/cli-args", "@zkts/jute", "@zkts/datatree", "@zkts/storage", "@zkts/sasl", "@zkts/config"],
  "zkts-cli": ["@zkts/client", "@zkts/cli-args"],
  // The load generator speaks the wire protocol directly (jute), so a client library's own
  // overhead does not colour the server figures: no client.
  "zkts-bench": ["@zkts/jute", "@zkts/cli-args"],
  // The simulated clients speak the request and response records the server's pipeline reads
  // and writes (jute); the simulated members are the server's Replica and zab core; the
  // process and container drivers start members with testkit's command lines. The simulated
  // members keep their disks with storage's real log appender, snapshot writer and recovery,
  // over a simulated file system (TigerBeetle's approach).
  "@zkts/lab": ["@zkts/server", "@zkts/storage", "@zkts/client", "@zkts/checker", "@zkts/jute", "@zkts/testkit", "@zkts/cli-args"],
};

/**
 * A package may also import @zkts/testkit where it lists it as a devDependency: programs that
 * start servers for a comparison (the benchmark's compare scripts) use the test harness.
 */
export const HARNESS = "@zkts/testkit";

/**
 * Source trees that must stay deterministic: no sockets, files, timers, clocks or ambient
 * randomness; time and randomness arrive as inputs ("jute, datatree, zab, checker and the
 * client's core", and what the lab's simulation runs).
 */
export const PURE_SOURCES = [
  "packages/jute/src",
  "packages/datatree/src",
  "packages/zab/src",
  "packages/checker/src",
  "packages/client/src/core",
  // The simulation replays from its seed only if it never reads a real clock or randomness.
  "lab/src/sim",
  "packages/server/src/quorum/replica.ts",
  "packages/server/src/quorum/leader-proposer.ts",
  "packages/server/src/quorum/ready-loop.ts",
];

/** Entry points of pure packages that are programs, allowed to read files and the real clock. */
export const PURE_EXCEPTIONS = ["packages/checker/src/cli.ts", "packages/checker/src/cli"];
