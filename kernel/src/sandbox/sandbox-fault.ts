/** How a call into an isolate can fail beyond the plugin throwing. */
export type FaultKind = 'cpu-limit' | 'memory-limit' | 'isolate-crash';

export class SandboxFault extends Error {
  readonly kind: FaultKind;
  /** For a timeout: the CPU time the isolate really used in the call (the timeout is wall time). */
  readonly cpuMs: number | undefined;
  /** The error code the failed item carries (defaults to the kind, e.g. CPU_LIMIT). */
  readonly code: string;
  constructor(kind: FaultKind, message: string, cpuMs?: number, code?: string) {
    super(message);
    this.name = 'SandboxFault';
    this.kind = kind;
    this.cpuMs = cpuMs;
    this.code = code ?? kind.toUpperCase().replace('-', '_');
  }
}

/** Translate what isolated-vm throws into a fault kind; null when it is not a sandbox fault. */
export function classifyIsolateError(error: unknown, disposed: boolean): SandboxFault | null {
  const message = error instanceof Error ? error.message : String(error);
  if (/memory limit/i.test(message)) return new SandboxFault('memory-limit', 'the plugin exceeded its memory limit');
  if (/execution timed out/i.test(message)) return new SandboxFault('cpu-limit', 'the plugin exceeded its CPU time limit');
  if (disposed || /disposed/i.test(message)) return new SandboxFault('isolate-crash', `the isolate stopped: ${message}`);
  return null;
}
