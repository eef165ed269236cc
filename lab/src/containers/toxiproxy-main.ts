#!/usr/bin/env node
import { runToxiproxyCommand } from "../toxiproxy/cli-command.js";

/**
 * What a Toxiproxy container runs: only the lab's Toxiproxy server, so the node image carries
 * its few files rather than everything the lab's command line loads.
 */
process.exitCode = await runToxiproxyCommand(process.argv.slice(2));
