/**
 * The znodes of the master-worker application, all under one root:
 *
 *   <root>/election/…            master candidates (LeaderElection; the holder is the master)
 *   <root>/workers/<id>          ephemeral: the worker is alive
 *   <root>/tasks/task-<seq>      persistent sequential: a submitted task, data = its input
 *   <root>/assign/<id>/<task>    persistent: the master gave <task> to worker <id>
 *   <root>/status/<task>         persistent: the task's result; created once, with the
 *                                assignment's deletion, in one multi
 */
export class Layout {
  constructor(readonly root: string) {}
  get election() {
    return `${this.root}/election`;
  }
  get workers() {
    return `${this.root}/workers`;
  }
  get tasks() {
    return `${this.root}/tasks`;
  }
  get assign() {
    return `${this.root}/assign`;
  }
  get status() {
    return `${this.root}/status`;
  }
  worker(id: string) {
    return `${this.workers}/${id}`;
  }
  task(name: string) {
    return `${this.tasks}/${name}`;
  }
  assignments(worker: string) {
    return `${this.assign}/${worker}`;
  }
  assignment(worker: string, task: string) {
    return `${this.assign}/${worker}/${task}`;
  }
  result(task: string) {
    return `${this.status}/${task}`;
  }
  all() {
    return [this.election, this.workers, this.tasks, this.assign, this.status];
  }
}
