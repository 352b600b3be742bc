/**
 * Runs tasks in dependency order with at most `threads` at once: a task starts as soon as all its
 * parents have finished, so independent branches build side by side. `work` receives the first
 * parent that failed (or was skipped), if any, and returns whether the task succeeded; a task
 * whose parent did not succeed is still handed to `work` (to record the skip) but never counts
 * as success, so the whole subtree below a failure is skipped and everything else carries on.
 * With `laneOf`, the `threads` limit holds per lane (e.g. builds and tests each `threads` at once).
 */
export async function runInDependencyOrder(
  order: readonly string[],
  parentsOf: (name: string) => readonly string[],
  threads: number,
  work: (name: string, failedParent: string | undefined) => Promise<boolean>,
  laneOf: (name: string) => string = () => '',
): Promise<void> {
  const inRun = new Set(order);
  const parentsInRun = new Map(order.map((name) => [name, parentsOf(name).filter((p) => inRun.has(p))]));
  const finished = new Map<string, boolean>();
  const waiting = [...order];
  let running = 0;
  const runningIn = new Map<string, number>();
  const limit = Math.max(1, threads);
  return new Promise<void>((resolve, reject) => {
    const pump = () => {
      if (waiting.length === 0 && running === 0) return resolve();
      for (let i = 0; i < waiting.length; ) {
        const name = waiting[i]!;
        const parents = parentsInRun.get(name)!;
        const lane = laneOf(name);
        if ((runningIn.get(lane) ?? 0) >= limit || !parents.every((p) => finished.has(p))) {
          i++;
          continue;
        }
        waiting.splice(i, 1);
        const failedParent = parents.find((p) => finished.get(p) === false);
        running++;
        runningIn.set(lane, (runningIn.get(lane) ?? 0) + 1);
        work(name, failedParent)
          .then((ok) => {
            finished.set(name, ok && failedParent === undefined);
            running--;
            runningIn.set(lane, runningIn.get(lane)! - 1);
            pump();
          })
          .catch(reject);
      }
      if (running === 0 && waiting.length > 0)
        reject(new Error(`cannot schedule ${waiting.join(', ')}: unfinished parents`));
    };
    pump();
  });
}
