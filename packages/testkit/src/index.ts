export { debian, repoRoot, zktsServerMain, zktsServerNodeFlags } from "./paths.js";
export { freePort, fourLetterWord } from "./net.js";
export type { ServerOptions } from "./config.js";
export type { RunningServer, ServerKind } from "./server.js";
export { nettyJars, referenceClasspath, startReferenceZooKeeper } from "./reference.js";
export { startZkts } from "./zkts.js";
export { startServer } from "./start.js";
export { runKazoo, runZkCli, runCliMt, type ClientOptions } from "./clients.js";
export type { ProcessResult } from "./run.js";
export { CuttableProxy } from "./proxy.js";
export { pauseProcess, resumeProcess } from "./pause.js";
export {
  ensembleMemberCommand,
  startMixedEnsemble,
  startZktsEnsemble,
  startReferenceEnsemble,
  type EnsembleOptions,
  type EnsembleMember,
  type RunningEnsemble,
} from "./ensemble.js";
export { renderZooCfg, zooCfgEntries } from "./config.js";
