// Where a responder goes next from an alert: the erwatch status page, the
// circuit in the Azure portal of its cloud, and the runbook section of the
// finding code. One list, so PagerDuty's links and the Teams card's buttons
// never disagree.

import type { CloudName } from "../../config/arm.js";
import type { AlertEvent } from "../../core/alert-event.js";
import type { FindingCode } from "../../core/model.js";

/** The project's public home (also the base of the HTTP API's problem types). */
export const PROJECT_HOME = "https://github.com/erwatch/erwatch/blob/main/";
/** docs/runbook.md: one section per finding code, anchored by the code. */
export const RUNBOOK_URL = `${PROJECT_HOME}docs/runbook.md`;

/** The portal of each cloud: a US Government circuit does not open in portal.azure.com. */
export const PORTAL_URLS: Record<CloudName, string> = {
  AzureCloud: "https://portal.azure.com",
  AzureUSGovernment: "https://portal.azure.us",
  AzureChinaCloud: "https://portal.azure.cn",
};

export interface LinkOptions {
  /** The erwatch status page (STATUS_PAGE_URL); no link when unset. */
  statusUrl?: string;
  /** The cloud the circuits live in (AZURE_CLOUD); AzureCloud when unset. */
  cloud?: CloudName;
}

export interface AlertLink {
  href: string;
  /** A sentence's worth: PagerDuty shows it as the link. */
  text: string;
  /** A button's worth: a phone fits three side by side. */
  label: string;
}

export function runbookUrl(code: FindingCode): string {
  return `${RUNBOOK_URL}#${code}`;
}

export function portalUrl(resourceId: string, cloud: CloudName = "AzureCloud"): string {
  // encodeURI keeps the id's slashes and escapes what a URL cannot carry raw.
  return `${PORTAL_URLS[cloud] ?? PORTAL_URLS.AzureCloud}/#resource${encodeURI(resourceId)}`;
}

export function alertLinks(
  event: Pick<AlertEvent, "code" | "circuit">,
  options: LinkOptions,
): AlertLink[] {
  const links: AlertLink[] = [];
  if (options.statusUrl)
    links.push({ href: options.statusUrl, text: "erwatch status page", label: "Status page" });
  // A fleet outage's subject (/erwatch/fleet/...) is no Azure resource: its circuits are in its evidence.
  if (event.circuit.id.toLowerCase().startsWith("/subscriptions/"))
    links.push({
      href: portalUrl(event.circuit.id, options.cloud),
      text: `${event.circuit.name} in the Azure portal`,
      label: "Azure portal",
    });
  links.push({ href: runbookUrl(event.code), text: `Runbook: ${event.code}`, label: "Runbook" });
  return links;
}
