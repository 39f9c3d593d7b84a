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
