import type { PluginStore } from '../src/storage/plugin-store.ts';

type Handler = (ctx: unknown, event: unknown) => unknown;

/**
 * The baseline: the same bundle, evaluated in this process with no sandbox, its handler called
 * with a context over the same in-memory store. It parses each event's JSON, as the sandboxed
 * path must, and stages writes and actions the same way; it just crosses no boundary.
 */
export function inProcessRunner(code: string, store: PluginStore, configs: Map<string, unknown>) {
  const definition = (new Function(`${code}\nreturn __townesPlugin;`)() as { default: { events: Record<string, Handler> } }).default;
  const handler = definition.events.messageCreate;
  if (!handler) throw new Error('the plugin has no messageCreate handler');
  const plugin = '@townesdev/xp';
  const actions: unknown[] = [];
  return async (guildId: string, json: string): Promise<void> => {
    const ns = { plugin, guildId };
    const staged = new Map<string, string | null>();
    const ctx = {
      guildId,
      config: configs.get(guildId),
      log: { info() {}, warn() {}, error() {} },
      storage: {
        async get(key: string) {
          if (staged.has(key)) return staged.get(key) === null ? undefined : JSON.parse(staged.get(key) as string);
          const v = (await store.get(ns, [key])).get(key);
          return v === undefined ? undefined : JSON.parse(v);
        },
        async set(key: string, value: unknown) {
          staged.set(key, JSON.stringify(value));
        },
        async delete(key: string) {
          staged.set(key, null);
          return true;
        },
        async list() {
          return [];
        },
      },
      discord: {
        sendMessage: (channelId: string, message: unknown) => actions.push({ channelId, message }),
        addRole: (userId: string, roleId: string) => actions.push({ userId, roleId }),
        removeRole: (userId: string, roleId: string) => actions.push({ userId, roleId }),
        sendDirectMessage: (userId: string, message: unknown) => actions.push({ userId, message }),
      },
    };
    await handler(ctx, JSON.parse(json));
    if (staged.size > 0) await store.commit([{ ...ns, writes: [...staged].map(([key, value]) => ({ key, value })) }]);
  };
}
