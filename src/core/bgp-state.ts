// `statePfxRcd` is one string column that means two things: a received-prefix
// count when the session is Established, or the BGP FSM state name when it is
// not. Parsing it in one place keeps the two meanings from being confused.

export type BgpStateName = "Idle" | "Connect" | "Active" | "OpenSent" | "OpenConfirm";

export type BgpSession =
  | { kind: "established"; prefixes: number }
  | {
      kind: "down";
      state: BgpStateName;
      /** e.g. "PfxCt", "Admin" from "Idle (PfxCt)" */ qualifier: string | null;
    }
  | { kind: "unrecognised"; raw: string };

const STATE_NAMES: Record<string, BgpStateName> = {
  idle: "Idle",
  connect: "Connect",
  active: "Active",
  opensent: "OpenSent",
  openconfirm: "OpenConfirm",
};

export function parseStatePfxRcd(raw: string | null | undefined): BgpSession {
  const text = (raw ?? "").trim();
  if (/^\d+$/.test(text)) return { kind: "established", prefixes: Number(text) };
  const match = /^([A-Za-z]+)\s*(?:\(([^)]*)\))?$/.exec(text);
  const name = match?.[1] ? STATE_NAMES[match[1].toLowerCase()] : undefined;
  if (!match || !name) return { kind: "unrecognised", raw: text };
  return { kind: "down", state: name, qualifier: match[2]?.trim() || null };
}

/** Where in the establishment sequence the session stuck, and so where to look. */
export function bgpStateHint(state: BgpStateName, qualifier: string | null): string {
  if (qualifier && /pfx/i.test(qualifier)) {
    return "Idle (PfxCt): the neighbor exceeded its maximum-prefix limit and was shut; reduce or summarise the advertised prefixes";
  }
  // The summary is the Microsoft router's view: "(Admin)" there means the
  // session is shut by its configuration, which no layer-2 check can explain.
  if (qualifier && /admin/i.test(qualifier)) {
    return `${state} (Admin): Microsoft's router has the session shut down by configuration, not for want of layer 2; check that the peering (and its IPv6 configuration) is Enabled in Azure, and if it is, open an Azure support case`;
  }
  switch (state) {
    case "Idle":
      return "Idle: the session is not even trying TCP; look below BGP at layer 2 (ARP) and at the /30 addressing";
    case "Connect":
    case "Active":
      return `${state}: TCP to the neighbor is failing; check reachability, the /30 addressing (your router takes the first usable address) and any firewall blocking TCP 179`;
    case "OpenSent":
    case "OpenConfirm":
      return `${state}: TCP is up but the BGP OPEN exchange fails; check the peer ASN (Microsoft is AS 12076) and the MD5 key on both ends`;
  }
}

/**
 * The route summary's `upDown` column: how long the session has been in its
 * state, as Cisco prints it and ARM passes it on — "00:03:12" under a day,
 * "3d04h" under a week, "1w2d" under a year, "1y2w" beyond — or "never".
 * `resolutionSeconds` is the smallest unit shown: the true uptime lies in
 * [seconds, seconds + resolutionSeconds). Anything else is unknown, never a reset.
 */
export type SessionUptime =
  | { kind: "uptime"; seconds: number; resolutionSeconds: number }
  | { kind: "never" }
  | { kind: "unknown"; raw: string };

const UNIT_SECONDS: Record<string, number> = {
  y: 365 * 86_400,
  w: 7 * 86_400,
  d: 86_400,
  h: 3_600,
  m: 60,
  s: 1,
};

export function parseUptime(raw: string | null | undefined): SessionUptime {
  const text = (typeof raw === "string" ? raw : "").trim().toLowerCase();
  if (text === "never") return { kind: "never" };
  const clock = /^(?:(\d+)d)?(\d{1,3}):(\d{2}):(\d{2})$/.exec(text);
  if (clock) {
    const [, d, h, m, s] = clock.map(Number) as [number, number, number, number, number];
    if (m > 59 || s > 59) return { kind: "unknown", raw: text };
    return {
      kind: "uptime",
      seconds: (Number.isNaN(d) ? 0 : d) * 86_400 + h * 3_600 + m * 60 + s,
      resolutionSeconds: 1,
    };
  }
  if (!/^(\d+[ywdhms])+$/.test(text)) return { kind: "unknown", raw: text };
  let seconds = 0;
  let resolutionSeconds = Infinity;
  let lastUnit = Infinity;
  for (const [, n, unit] of text.matchAll(/(\d+)([ywdhms])/g)) {
    const size = UNIT_SECONDS[unit as string] as number;
    // Units must run from large to small, each once: "3d04h", never "4h3d".
    if (size >= lastUnit) return { kind: "unknown", raw: text };
    lastUnit = size;
    seconds += Number(n) * size;
    resolutionSeconds = size;
  }
  return { kind: "uptime", seconds, resolutionSeconds };
}
