/**
 * What every smoke link returns, and the options every HTTP probe takes. A leaf: the probes
 * (access-gate.ts, freescout.ts, token-expiry.ts), the shared HTTP helpers (http.ts) and the
 * list of links (links.ts) all import it, so no probe imports the file that lists it.
 */
export type Status = "pass" | "fail" | "skip";

export interface LinkResult {
  readonly link: string;
  readonly status: Status;
  readonly detail: string;
}

export interface HttpOptions {
  readonly timeoutMs: number;
}
