import { buildBundle, setup, command, hostileName, GUILD_A, GUILD_B } from './support.ts';
const attacks: Record<string,string> = {
    imp: `async function() { try { await import('node:fs'); return 'imported'; } catch (e) { return 'err ' + String(e).slice(0, 200); } }`,
    wait: `function() { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0); return 'woke'; }`,
    stack: `function() { const out = []; Error.prepareStackTrace = (e, cs) => cs.map((c) => [c.getFileName(), typeof c.getThis(), typeof c.getFunction(), c.getFunctionName()]); const s = new Error().stack; Error.prepareStackTrace = undefined; return JSON.stringify(s); }`,
    cons: `function() { console.log('hi'); return typeof console.log; }`,
    wasm: `function() { return typeof WebAssembly.instantiate; }`,
};
const bundles = Object.entries(attacks).map(([k, src]) => buildBundle({ name: hostileName(k), commands: [k], definition: `{ commands: { ${k}: ${src} } }` }));
const t = await setup(bundles);
try {
  for (const k of Object.keys(attacks)) {
    for (let i = 0; i < 1; i++) {
    const s = Date.now();
    const o = await command(t.kernel, GUILD_A, k);
    console.log(k, Date.now() - s, JSON.stringify(o).slice(0, 800));
    }
    const s = Date.now();
    console.log(' healthy', JSON.stringify(await command(t.kernel, GUILD_B, 'ping')), Date.now() - s, t.kernel.sandboxPids);
  }
  console.log(t.incidents, t.kernel.quarantines());
} finally { await t.close(); }
