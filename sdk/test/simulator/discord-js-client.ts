/**
 * Test helpers: an unmodified discord.js Client pointed at the simulator through its documented
 * options only (`rest.api`), and a bounded wait for one of its events.
 */
import { Client, type ClientEvents, type ClientOptions } from 'discord.js';
import type { DiscordSimulator } from '@townesdev/sdk/simulator';

export function simulatorClient(sim: DiscordSimulator, options: Omit<ClientOptions, 'rest'>): Client {
  return new Client({ ...options, rest: { api: sim.apiBase } });
}

/** Logs the client in and waits for 'ready' (every shard READY and every guild created). */
export async function loginAndWaitReady(client: Client, sim: DiscordSimulator, timeoutMs = 10_000): Promise<void> {
  const ready = nextEvent(client, 'clientReady', timeoutMs);
  await client.login(sim.botToken);
  await ready;
}

/** The next emission of `event` that passes `filter` (its arguments), or an error after `timeoutMs`. */
export function nextEvent<E extends keyof ClientEvents>(client: Client, event: E, timeoutMs = 5000, filter?: (...args: ClientEvents[E]) => boolean): Promise<ClientEvents[E]> {
  return new Promise((resolve, reject) => {
    const listener = (...args: ClientEvents[E]): void => {
      if (filter && !filter(...args)) return;
      clearTimeout(timer);
      client.off(event, listener);
      resolve(args);
    };
    const timer = setTimeout(() => {
      client.off(event, listener);
      reject(new Error(`no ${String(event)} within ${timeoutMs} ms`));
    }, timeoutMs);
    client.on(event, listener);
  });
}

/** Polls `check` until it holds (for effects that have no event). */
export async function eventually(check: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
