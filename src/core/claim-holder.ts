// Work claims are held by one delivery of a work message, named
// "<sweep>/<subscription>/<batch>@<delivery count>/<host>/<pid>/<invocation>"
// (app/work.ts workerOf; the part after the count names the one delivery).

/**
 * Whether `worker` is a later delivery of the message an earlier delivery of
 * which is `holder`: Service Bus delivers a message again only once the last
 * delivery's lock is gone, so that one is dead or gave up.
 */
export function supersedes(worker: string, holder: string): boolean {
  const parse = (name: string) => /^([^@]*)@(\d+)\//.exec(name);
  const mine = parse(worker);
  const theirs = parse(holder);
  return (
    mine !== null && theirs !== null && mine[1] === theirs[1] && Number(mine[2]) > Number(theirs[2])
  );
}
