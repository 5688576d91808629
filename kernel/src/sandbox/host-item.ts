import type { PluginAction } from '../actions/plugin-action.ts';
import type { CachedNamespace } from './storage-cache.ts';
import type { ItemFault, ItemResult, WorkItem } from './sandbox-protocol.ts';

/** A work item while a sandbox host runs it: what it has staged so far, and what it waits for. */
export interface HostItem extends WorkItem {
  /** Writes not yet committed: a value, or null for a delete. */
  staged: Map<string, string | null>;
  stagedDelta: number;
  actions: PluginAction[];
  logs: ItemResult['logs'];
  denials: string[];
  /** Storage operations answered with a miss and not yet retried. */
  misses: number;
  /** Storage reads it had to wait for, over its whole run (capped: see GuestCalls). */
  waitedReads: number;
  /** Calls cut short by the wall-clock timeout while the plugin had used little CPU (a busy machine). */
  contentions: number;
  ns: CachedNamespace | null;
}

export function toHostItem(item: WorkItem): HostItem {
  return { ...item, staged: new Map(), stagedDelta: 0, actions: [], logs: [], denials: [], misses: 0, waitedReads: 0, contentions: 0, ns: null };
}

/** Forget everything a run staged, so the item can run again from the start. */
export function resetHostItem(item: HostItem): void {
  item.staged.clear();
  item.stagedDelta = 0;
  item.actions = [];
  item.logs = [];
  item.denials = [];
  item.misses = 0;
}

export function failedResult(item: HostItem, fault: ItemFault | undefined, error: { name: string; message: string; code?: string }): ItemResult {
  return { seq: item.seq, ok: false, error, fault, writes: [], actions: [], logs: item.logs, denials: item.denials };
}
