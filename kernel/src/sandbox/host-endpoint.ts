import type { Namespace, NamespaceRead, StoredEntry } from '../storage/plugin-store.ts';
import { releaseFreedHeap } from './heap-relief.ts';
import { SandboxHost } from './sandbox-host.ts';
import type { FromHost, StorageBackend, ToHost } from './sandbox-protocol.ts';

/**
 * The sandbox host's side of the protocol: turns messages into SandboxHost calls and makes
 * storage requests to the runner. The same endpoint serves a child process and the in-process
 * development mode, so both run one code path.
 */
export function serveSandboxHost(send: (message: FromHost) => void, onClose?: () => void): (message: ToHost) => void {
  let nextId = 0;
  const waiting = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  const request = <T>(message: (id: number) => FromHost): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = ++nextId;
      waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      send(message(id));
    });
  const backend: StorageBackend = {
    read: (requests: NamespaceRead[]) => request((id) => ({ t: 'storage', id, op: 'read', requests })),
    list: (ns: Namespace, prefix: string, limit: number, after?: string) =>
      request<StoredEntry[]>((id) => ({ t: 'storage', id, op: 'list', ns, prefix, limit, ...(after === undefined ? {} : { after }) })),
  };
  const host = new SandboxHost({ backend, onResults: (results) => send({ t: 'results', results }) });

  return (message: ToHost) => {
    switch (message.t) {
      case 'load':
        try {
          send({ t: 'loaded', id: message.id, ok: true, handlers: host.load(message.image) });
        } catch (error) {
          send({ t: 'loaded', id: message.id, ok: false, error: error instanceof Error ? error.message : String(error) });
        }
        break;
      case 'unload':
        host.unload(message.key);
        break;
      case 'guild':
        host.setGuild(message.setting);
        break;
      case 'unguild':
        host.removeGuild(message.plugin, message.guildId);
        break;
      case 'evict':
        host.evict(message.plugin, message.guildId);
        break;
      case 'submit':
        host.submit(message.items);
        break;
      case 'storage': {
        const w = waiting.get(message.id);
        waiting.delete(message.id);
        if (!w) break;
        if (message.ok) w.resolve(message.value);
        else w.reject(new Error(message.error ?? 'storage request failed'));
        break;
      }
      case 'ping':
        send({ t: 'pong', id: message.id });
        break;
      case 'stats':
        if (message.relieve) {
          const id = message.id;
          host.releaseIsolateMemory();
          // Figures even if relief failed: the runner is waiting for them.
          void releaseFreedHeap()
            .catch(() => undefined)
            .then(() => send({ t: 'stats', id, stats: host.stats() }));
        } else {
          send({ t: 'stats', id: message.id, stats: host.stats() });
        }
        break;
      case 'close':
        host.dispose();
        onClose?.();
        break;
    }
  };
}
