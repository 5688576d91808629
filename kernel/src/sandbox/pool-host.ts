import type { HostLink } from './host-link.ts';
import type { CommitTarget } from './pool-storage.ts';
import type { FromHost, ItemResult, WorkItem } from './sandbox-protocol.ts';

/** An item the pool has handed to a host, until its result is committed. */
export interface Pending extends CommitTarget {
  /** Host deaths while it was in flight. */
  crashes: number;
  /** Its result has reached the runner: a host dying now does not make it run again. */
  received: boolean;
  resolve(result: ItemResult): void;
}

/** The pool's record of one sandbox host: its link, its work in flight, its recovery state. */
export interface Host {
  index: number;
  link: HostLink;
  inflight: Map<number, Pending>;
  outbox: WorkItem[];
  /** After a crash: items that were in flight, run again one at a time to find a culprit. */
  recovering: Pending[];
  solo: Pending | null;
  /** New items waiting until recovery is over. */
  held: Pending[];
  /** Storage work of this host, in arrival order: a commit always lands before a later read. */
  chain: Promise<void>;
  waiting: Map<number, { resolve(message: FromHost): void; reject(error: Error): void }>;
  lastPong: number;
  /** Plugin images a replacement is still reloading; recovery waits for them, heartbeats too. */
  reloading: number;
  closed: boolean;
}

/** A fresh record for a host just started. */
export function newHost(index: number, link: HostLink): Host {
  return { index, link, inflight: new Map(), outbox: [], recovering: [], solo: null, held: [], chain: Promise.resolve(), waiting: new Map(), lastPong: Date.now(), reloading: 0, closed: false };
}

/** The result of an item that killed its host each time it ran, the last time alone. */
export function deadLetter(pending: Pending, reason: string): ItemResult {
  const message = `the sandbox host died each time it ran this item, the last time with nothing else running (${reason})`;
  return { seq: pending.item.seq, ok: false, fault: 'isolate-crash', error: { name: 'SandboxFault', code: 'DEAD_LETTER', message }, writes: [], actions: [], logs: [], denials: [] };
}
