import { buildBundle, setup, command, hostileName, GUILD_A } from './support.ts';
const b = buildBundle({ name: hostileName('ctor'), commands: ['ctor'], definition: `{ commands: { ctor() { const p = Promise.resolve('x'); Object.defineProperty(p, 'constructor', { get() { throw new Error('nope'); } }); return p; } } }` });
const t = await setup([b]);
console.log(b.manifest.name, t.kernel.sandboxPids);
console.log(JSON.stringify(await command(t.kernel, GUILD_A, 'ctor')));
console.log(t.kernel.sandboxPids, t.incidents.map(i => i.message));
await t.close();
