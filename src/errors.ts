// errors.ts — the one error class nicteam throws, with stable codes.
//
// Only configuration and misuse throw; data-path trouble is a status or a
// counter. `code` is stable across versions (scripts may switch on it),
// `field` names the offending config path ("vms[2].limit") when there is one.

export type NicteamErrorCode =
  | 'INVALID_CONFIG'   // a value has the wrong type or shape
  | 'UNKNOWN_KEY'      // a config object has a key nicteam does not know
  | 'OUT_OF_RANGE'     // a number outside its allowed range
  | 'INCONSISTENT'     // values that contradict each other (reservation > limit, …)
  | 'CAPACITY'         // a fixed capacity (maxVms, MAC table, NIC slots) is exhausted
  | 'UNKNOWN_VM'       // a VM id that is not (or no longer) configured
  | 'UNKNOWN_NIC'      // a NIC name or index that is not configured
  | 'DUPLICATE'        // a name or MAC already in use
  | 'WASM'             // the Wasm core could not be loaded or initialised
  | 'CLOSED';          // the scheduler was used after close()

export class NicteamError extends Error {
  readonly code: NicteamErrorCode;
  readonly field: string | undefined;
  constructor(code: NicteamErrorCode, message: string, field?: string) {
    super(field ? `${field}: ${message}` : message);
    this.name = 'NicteamError';
    this.code = code;
    this.field = field;
  }
}
