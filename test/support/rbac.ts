// How Azure matches an RBAC action against a role's `actions`: case-blind, a
// trailing `*` a prefix. The simulated estate and the role cross-check both
// judge by it, apart from the code whose role it checks.

export function grants(actions: readonly string[], action: string): boolean {
  const wanted = action.toLowerCase();
  return actions.some((granted) => {
    const g = granted.toLowerCase();
    return g.endsWith("*") ? wanted.startsWith(g.slice(0, -1)) : g === wanted;
  });
}
