import { readFileSync } from 'node:fs';

// Set by the sandbox host bundle (host-entry.ts), which cannot read files beside itself.
declare const __TOWNES_GUEST_RUNTIME__: string | undefined;

/** The source of the guest runtime, evaluated first in every plugin isolate. */
export const GUEST_RUNTIME_SOURCE: string =
  typeof __TOWNES_GUEST_RUNTIME__ === 'string' ? __TOWNES_GUEST_RUNTIME__ : readFileSync(new URL('./runtime.guest.js', import.meta.url), 'utf8');
