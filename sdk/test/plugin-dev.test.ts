import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runPluginCli } from '../src/cli/index.ts';

const XP_DIR = new URL('../../plugins/xp/', import.meta.url).pathname;
const WELCOME_DIR = new URL('../../plugins/welcome/', import.meta.url).pathname;

async function* lines(...typed: string[]): AsyncIterable<string> {
  for (const line of typed) yield line;
}

async function session(args: string[], ...typed: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runPluginCli(['dev', ...args], { out: (l) => out.push(l), err: (l) => err.push(l), cwd: process.cwd(), input: lines(...typed) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

test('townes plugin dev: typed chat reaches the simulator, XP is earned, the level-up is announced, /rank answers, by name', async () => {
  const r = await session(
    [XP_DIR, '--config', '{"minXp":100,"maxXp":100,"cooldownSeconds":0}'],
    'join alice',
    'alice: hello everyone, nice to be here',
    'alice: a second message to level up',
    'alice: and a third one for good measure',
    '/rank as alice',
    '/rank user=alice',
    '/nope',
    'config {"minXp": -5}',
    'gibberish',
    'quit',
    'alice: never read after quit',
  );
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /@townesdev\/xp@1\.0\.0 runs in the runner \(sandbox, action queue, discord\.js\) against the Discord simulator/);
  assert.match(r.out, /posts in #general: .*level/i, 'the level-up is announced in the channel alice typed in');
  assert.match(r.out, /> \/rank as alice\n {2}replies: /);
  assert.match(r.out, /no command \/nope; this plugin has \/rank \/leaderboard/);
  assert.match(r.out, /> config \{"minXp": -5\}\n {2}refused: /);
  assert.match(r.out, /gibberish\n {2}not understood; type help/);
  assert.doesNotMatch(r.out, /never read after quit/);
});

test('townes plugin dev: a member joining is welcomed in #welcome, by DM and with a role; a folder without a plugin is refused', async () => {
  const r = await session([WELCOME_DIR, '--config', '{"channelId":"#welcome","autoRoleId":"@Member","dmEnabled":true}'], 'join bob', 'quit');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /> join bob\n {2}posts in #welcome: Welcome @bob to Dev Guild!/);
  assert.match(r.out, /sends a DM to bob: /);
  assert.match(r.out, /gives role @Member to bob/);
  const missing = await session(['/nonexistent/folder']);
  assert.equal(missing.code, 66);
  assert.match(missing.err, /has no src\/plugin\.ts/);
  const badConfig = await session([WELCOME_DIR, '--config', '{oops']);
  assert.equal(badConfig.code, 64);
});
