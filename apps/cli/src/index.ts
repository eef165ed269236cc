// The pieces of zkts-cli for programs that drive ZooKeeper the way zkCli.sh does; the command
// itself is bin/zkts-cli.js (dist/main.js).
export { COMMANDS, findCommand, helpText, runCommand, UsageError, type Command, type CommandContext, type CommandResult } from "./commands.js";
export { formatAcl, formatStat, parseAcl, toJson } from "./format.js";
export { tokenize } from "./args.js";
