// The near-limit warning as on-call lives it, at the 5-minute cadence through
// the pure chain (evaluate → advance → inhibition → decide): what each sweep
// sends while a received-prefix count climbs, hovers and hits the limit.

import { describe, expect, it } from "vitest";
import { chainTimeline } from "../support/chain-timeline.js";
import { neighbor, type CircuitSpec, type PathSpec } from "../support/readings.js";

/** Each sweep's notifications and change lines, one sweep every 5 minutes. */
const live = (specs: CircuitSpec[]) =>
  chainTimeline(specs.map((spec, i) => ({ minute: i * 5, spec })));

const paths = (primary: PathSpec, secondary: PathSpec = {}): CircuitSpec => ({
  paths: { AzurePrivatePeering: { primary, secondary } },
});
/** IPv4 received-prefix counts (or states) on the two paths of private peering. */
const counts = (primary: string, secondary = "3000"): CircuitSpec =>
  paths({ bgp: primary }, { bgp: secondary });

describe("a session shut at its limit is not a near-limit warning that cleared", () => {
  it.each<{ name: string; specs: CircuitSpec[]; sent: string[] }>([
    {
      // The primary climbs to the limit and Microsoft shuts its session: the
      // path-down alert names Idle (PfxCt); the warning that announced it
      // must not tell the same receivers "has cleared" beside it.
      name: "IPv4 on the primary climbs past the limit",
      specs: [
        counts("3900"),
        counts("3950"),
        counts("3990"),
        counts("Idle (PfxCt)"),
        counts("Idle (PfxCt)"),
        counts("Idle (PfxCt)"),
      ],
      sent: ["-", "route-limit:open:Sev2", "-", "-", "path-down:open:Sev2", "-"],
    },
    {
      // Summarised and back: the count is read again, well under the line,
      // and only now is the warning over.
      name: "then summarised and back under the line",
      specs: [
        counts("3900"),
        counts("3950"),
        counts("Idle (PfxCt)"),
        counts("Idle (PfxCt)"),
        counts("2500"),
        counts("2500"),
      ],
      sent: [
        "-",
        "route-limit:open:Sev2",
        "-",
        "path-down:open:Sev2",
        "-",
        "path-down:resolve:Sev2 route-limit:resolve:Sev2",
      ],
    },
    {
      // IPv6's limit is 100: the IPv6 session on the primary shut at it is
      // IPv6 redundancy lost (Sev3), and the Sev2 warning before it must not
      // read as cleared just because the shut session has no count.
      name: "IPv6 on the primary climbs past its limit of 100",
      specs: ["95", "97", "Idle (PfxCt)", "Idle (PfxCt)", "Idle (PfxCt)"].map((v6) =>
        paths({ bgp: [neighbor("120"), neighbor(v6, 6)] }),
      ),
      sent: ["-", "route-limit:open:Sev2", "-", "path-down:open:Sev3", "-"],
    },
  ])("$name", ({ specs, sent }) => {
    expect(live(specs).sent).toEqual(sent);
  });
});

describe("the percentage quoted is never rounded up onto a line the count has not reached", () => {
  it.each<{ name: string; specs: CircuitSpec[]; sent: string[]; said: RegExp }>([
    {
      // 3,799 of 4,000 is 94.975 %: under the Sev2 line, and the Sev3 said "at 95%".
      name: "just under 95 %: the Sev3 says 94.9 %",
      specs: [counts("3799"), counts("3799")],
      sent: ["-", "route-limit:open:Sev3"],
      said: /Received prefixes at 94\.9% of the route limit on AzurePrivatePeering: 3,799 of 4,000$/,
    },
    {
      // One prefix short of the limit is not at 100 % of it (the session is still up).
      name: "one short of the limit: 99.9 %, not 100 %",
      specs: [counts("3999"), counts("3999")],
      sent: ["-", "route-limit:open:Sev2"],
      said: /Received prefixes at 99\.9% of the route limit on AzurePrivatePeering: 3,999 of 4,000$/,
    },
  ])("$name", ({ specs, sent, said }) => {
    const heard = live(specs);
    expect(heard.sent).toEqual(sent);
    expect(heard.changes.at(-1)).toMatch(said);
  });
});

describe("a count hovering at a line is one warning, not a stream", () => {
  it.each<{ name: string; specs: CircuitSpec[]; sent: string[] }>([
    {
      // 3,201 / 3,199 of 4,000 two sweeps each: it opened and resolved every 20 minutes.
      name: "at the 80 % line: opens once and stays open",
      specs: ["3000", "3201", "3201", "3199", "3199", "3201", "3201", "3199", "3199", "3201"].map(
        (c) => counts(c, c),
      ),
      sent: ["-", "-", "route-limit:open:Sev3", "-", "-", "-", "-", "-", "-", "-"],
    },
    {
      // 3,801 / 3,799 in turn: Sev2 → Sev3 → Sev2 at every sweep.
      name: "at the 95 % line: Sev2 once, no de-escalation and escalation every sweep",
      specs: ["3801", "3801", "3799", "3801", "3799", "3801", "3799"].map((c) => counts(c, c)),
      sent: ["-", "route-limit:open:Sev2", "-", "-", "-", "-", "-"],
    },
    {
      // Summarised well under the line (2 points clear it): de-escalates, then resolves.
      name: "a count that really falls clears: 92.5 % de-escalates, 75 % resolves",
      specs: ["3801", "3801", "3700", "3700", "3000", "3000"].map((c) => counts(c, c)),
      sent: [
        "-",
        "route-limit:open:Sev2",
        "route-limit:deescalate:Sev3",
        "-",
        "-",
        "route-limit:resolve:Sev3",
      ],
    },
    {
      // A count that never warned is not held to the lower line: 79.9 % is not a warning.
      name: "under the line from the start: nothing",
      specs: ["3196", "3196", "3196"].map((c) => counts(c, c)),
      sent: ["-", "-", "-"],
    },
    {
      // IPv6's limit is 100: 80/79 in turn on both paths.
      name: "IPv6 at its 80 of 100: opens once",
      specs: ["79", "80", "80", "79", "79", "80", "80", "79", "79"].map((v6) => ({
        paths: {
          AzurePrivatePeering: {
            primary: { bgp: [neighbor("120"), neighbor(v6, 6)] },
            secondary: { bgp: [neighbor("120"), neighbor(v6, 6)] },
          },
        },
      })),
      sent: ["-", "-", "route-limit:open:Sev3", "-", "-", "-", "-", "-", "-"],
    },
  ])("$name", ({ specs, sent }) => {
    expect(live(specs).sent).toEqual(sent);
  });
});
