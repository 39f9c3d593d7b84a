// Azure Monitor's batch metrics API takes at most 50 resources per call, all
// of one subscription, region and resource type: the plan groups circuits so,
// and chunks larger groups. Pure, so a planner can reason about the cost of a
// sweep before it runs (calls = chunks × calls per chunk).

export const METRICS_BATCH_LIMIT = 50;

export interface MetricsBatch {
  subscriptionId: string;
  /** Azure's region name as the endpoint wants it: lower case, no spaces. */
  region: string;
  ids: string[];
}

export const regionKey = (location: string): string => location.toLowerCase().replace(/\s+/g, "");

export function planMetricBatches(
  targets: { id: string; subscriptionId: string; region: string }[],
  limit = METRICS_BATCH_LIMIT,
): MetricsBatch[] {
  const groups = new Map<string, MetricsBatch>();
  const seen = new Set<string>();
  for (const t of targets) {
    const id = t.id.toLowerCase();
    if (seen.has(id)) continue;
    seen.add(id);
    const region = regionKey(t.region);
    const key = `${t.subscriptionId.toLowerCase()}|${region}`;
    const group = groups.get(key) ?? {
      subscriptionId: t.subscriptionId.toLowerCase(),
      region,
      ids: [],
    };
    group.ids.push(t.id);
    groups.set(key, group);
  }
  return [...groups.values()].flatMap((g) =>
    Array.from({ length: Math.ceil(g.ids.length / limit) }, (_, i) => ({
      ...g,
      ids: g.ids.slice(i * limit, (i + 1) * limit),
    })),
  );
}
