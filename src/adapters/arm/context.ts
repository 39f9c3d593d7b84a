// What every part of the reader shares: the SDK clients, the call runner, the
// configuration and the clock. Built once per process in reader.ts.

import type { ArmConfig } from "../../config/arm.js";
import type { ArmCall } from "./call.js";
import type { NetworkClients } from "./clients.js";
import type { LroTiming } from "./lro-timing.js";
import type { Pacer } from "./pacer.js";

export interface ArmContext {
  clients: NetworkClients;
  /** Paces every request the clients send; its counts are the reader's usage. */
  pacer: Pacer;
  call: ArmCall;
  config: ArmConfig;
  now: () => Date;
  lroTiming: LroTiming;
}
