import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { pauseProcess, resumeProcess } from "@zkts/testkit";

/** Every member process the lab started and has not seen exit: killed if the lab itself exits. */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const child of live) child.kill("SIGKILL");
  });
}

/**
 * One member's operating-system process: started from a command line with its output appended
 * to a log file, stopped with a signal, frozen and thawed with SIGSTOP/SIGCONT. Holds no
 * knowledge of ZooKeeper; the cluster driver gives it the command.
 */
export class MemberProcess {
  private child: ChildProcess | null = null;
  private paused = false;
  /** Set by start(), cleared by stop(): an exit while it is set is a crash, not the nemesis. */
  private wanted = false;
  /** Exits nobody asked for (the member died by itself), with their codes. */
  readonly crashes: { code: number | null; signal: string | null }[] = [];

  constructor(
    private readonly command: { file: string; args: string[] },
    private readonly cwd: string,
    readonly logPath: string,
  ) {}

  get running(): boolean {
    return this.child !== null;
  }

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  start(): void {
    if (this.child !== null) return;
    installExitHook();
    const log = openSync(this.logPath, "a");
    try {
      const child = spawn(this.command.file, this.command.args, { cwd: this.cwd, stdio: ["ignore", log, log] });
      live.add(child);
      child.once("exit", (code, signal) => {
        live.delete(child);
        if (this.child === child) {
          if (this.wanted) this.crashes.push({ code, signal });
          this.wanted = false;
          this.child = null;
          this.paused = false;
        }
      });
      this.child = child;
      this.paused = false;
      this.wanted = true;
    } finally {
      closeSync(log);
    }
  }

  /** Sends `signal` and waits for the process to be gone (a paused process is thawed so it can act on SIGTERM). */
  async stop(signal: "SIGKILL" | "SIGTERM", timeoutMs = 15_000): Promise<void> {
    const child = this.child;
    this.wanted = false;
    if (child === null) return;
    const gone = new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once("exit", () => resolve());
    });
    child.kill(signal);
    if (this.paused) child.kill("SIGCONT");
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    await gone;
    clearTimeout(timer);
  }

  /**
   * Freezes the process and resolves once every thread has stopped (pauseProcess): the fault
   * the history records as begun has begun, not merely been signalled.
   */
  async pause(): Promise<void> {
    const pid = this.child?.pid;
    if (pid === undefined || this.paused) return;
    this.paused = true;
    try {
      await pauseProcess(pid);
    } catch (err) {
      // A process that exited meanwhile has nothing left to stop.
      if (this.child?.exitCode === null && this.child.signalCode === null) throw err;
    }
  }

  resume(): void {
    const pid = this.child?.pid;
    if (pid === undefined || !this.paused) return;
    resumeProcess(pid);
    this.paused = false;
  }

  get isPaused(): boolean {
    return this.paused;
  }
}
