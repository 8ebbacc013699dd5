/** The one-gate name of ./access-gate.ts, kept for the readers that still import it. */
export {
  AccessGate as TicketsAccess,
  FROZEN_TOKEN_INPUTS,
  importIds,
  TICKETS_ACCESS_TYPE,
  tokenGenerationNames,
  type AccessGateArgs as TicketsAccessArgs,
} from "./access-gate";
