/** Exit codes, as sysexits(3): scripts can tell a usage mistake from a failed check. */
export const EXIT = { ok: 0, failed: 1, usage: 64, dataError: 65, noInput: 66, unavailable: 69, cantCreate: 73, noPerm: 77 } as const;

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  cwd: string;
}
