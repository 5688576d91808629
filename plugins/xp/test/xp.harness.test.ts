/**
 * The xp plugin built and run for real: the SDK harness bundles `src/plugin.ts` with esbuild,
 * loads it into a sandbox, and plays messages and slash commands against a simulated guild.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createHarness } from '@townesdev/sdk/harness';

const ALICE = '222222222222222222';
const BOB = '555555555555555555';
const CAROL = '666666666666666666';
const GENERAL = '333333333333333333';
const ANNOUNCE = '444444444444444444';
const ROLE_1 = '777777777777777771';
const ROLE_2 = '777777777777777772';
const ROLE_5 = '777777777777777775';

const T0 = Date.UTC(2026, 10, 25, 12);
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();

type Harness = Awaited<ReturnType<typeof createHarness>>;
type Guild = Awaited<ReturnType<Harness['guild']>>;

/** Total XP as /rank reports it. */
async function totalXp(guild: Guild, userId: string): Promise<number> {
  const r = await guild.command('rank', { userId });
  assert.equal(r.ok, true, r.error);
  const field = r.reply?.embeds?.[0]?.fields?.find((f) => f.name === 'Total XP');
  if (!field) return 0;
  return Number(field.value.replaceAll(',', ''));
}

describe('xp plugin (harness)', () => {
  let h: Harness;
  before(async () => {
    h = await createHarness({ pluginDir: new URL('..', import.meta.url), sandbox: 'inprocess' });
  });
  after(async () => {
    await h?.close();
  });

  it('awards XP within [minXp, maxXp]', async () => {
    const guild = await h.guild({ name: 'Test Server', config: {} });
    const r = await guild.message({ authorId: ALICE, channelId: GENERAL, content: 'hello', createdAt: at(0) });
    assert.equal(r.ok, true, r.error);
    assert.deepEqual(r.actions, []);
    const xp = await totalXp(guild, ALICE);
    assert.ok(xp >= 15 && xp <= 25, `got ${xp}`);
  });

  it('honours the cooldown, measured with createdAt', async () => {
    const guild = await h.guild({ name: 'Test Server', config: { minXp: 10, maxXp: 10, cooldownSeconds: 60 } });
    await guild.message({ authorId: ALICE, channelId: GENERAL, content: 'one', createdAt: at(0) });
    await guild.message({ authorId: ALICE, channelId: GENERAL, content: 'two', createdAt: at(30) });
    await guild.message({ authorId: ALICE, channelId: GENERAL, content: 'three', createdAt: at(59) });
    assert.equal(await totalXp(guild, ALICE), 10);
    await guild.message({ authorId: ALICE, channelId: GENERAL, content: 'four', createdAt: at(60) });
    assert.equal(await totalXp(guild, ALICE), 20);
    // The cooldown is per member.
    await guild.message({ authorId: BOB, channelId: GENERAL, content: 'hi', createdAt: at(61) });
    assert.equal(await totalXp(guild, BOB), 10);
  });

  it('announces a level-up in the message\'s channel by default', async () => {
    const guild = await h.guild({ name: 'Test Server', config: { minXp: 100, maxXp: 100 } });
    const r = await guild.message({ authorId: ALICE, channelId: GENERAL, content: 'hello', createdAt: at(0) });
    assert.equal(r.ok, true, r.error);
    assert.deepEqual(r.actions, [
      { type: 'sendMessage', channelId: GENERAL, message: { content: `GG <@${ALICE}>, you just reached level 1!` } },
    ]);
  });

  it('announces in announceChannelId with a custom template, or not at all when turned off', async () => {
    const guild = await h.guild({
      name: 'Test Server',
      config: { minXp: 100, maxXp: 100, cooldownSeconds: 0, announceChannelId: ANNOUNCE, levelUpMessage: '{user} is now level {level}' },
    });
    const r = await guild.message({ authorId: ALICE, channelId: GENERAL, content: 'hello', createdAt: at(0) });
    assert.deepEqual(r.actions, [{ type: 'sendMessage', channelId: ANNOUNCE, message: { content: `<@${ALICE}> is now level 1` } }]);

    await guild.configure({ minXp: 100, maxXp: 100, cooldownSeconds: 0, announceLevelUps: false });
    const quiet = await guild.message({ authorId: BOB, channelId: GENERAL, content: 'hello', createdAt: at(1) });
    assert.equal(quiet.ok, true, quiet.error);
    assert.deepEqual(quiet.actions, []);
    assert.equal(await totalXp(guild, BOB), 100);
  });

  it('grants every reward role up to the new level that the member lacks', async () => {
    const guild = await h.guild({
      name: 'Test Server',
      config: {
        minXp: 300,
        maxXp: 300,
        announceLevelUps: false,
        roleRewards: [
          { level: 5, roleId: ROLE_5 },
          { level: 1, roleId: ROLE_1 },
          { level: 2, roleId: ROLE_2 },
        ],
      },
    });
    // 300 XP is level 2: ROLE_1 is already held, ROLE_2 is due, ROLE_5 is not yet.
    const r = await guild.message({ authorId: ALICE, channelId: GENERAL, content: 'hello', createdAt: at(0), memberRoles: [ROLE_1] });
    assert.equal(r.ok, true, r.error);
    assert.deepEqual(
      r.actions.map((a) => (a.type === 'addRole' ? { type: a.type, userId: a.userId, roleId: a.roleId } : a)),
      [{ type: 'addRole', userId: ALICE, roleId: ROLE_2 }],
    );
  });

  it('gives no XP in ignored channels', async () => {
    const guild = await h.guild({ name: 'Test Server', config: { minXp: 100, maxXp: 100, ignoredChannels: [GENERAL] } });
    const r = await guild.message({ authorId: ALICE, channelId: GENERAL, content: 'hello', createdAt: at(0) });
    assert.equal(r.ok, true, r.error);
    assert.deepEqual(r.actions, []);
    assert.equal(await totalXp(guild, ALICE), 0);
    const elsewhere = await guild.message({ authorId: ALICE, channelId: ANNOUNCE, content: 'hello', createdAt: at(1) });
    assert.equal(elsewhere.actions.length, 1);
    assert.equal(await totalXp(guild, ALICE), 100);
  });

  it('/rank shows level, XP, progress and rank, for yourself or another member', async () => {
    const guild = await h.guild({ name: 'Test Server', config: { minXp: 150, maxXp: 150, cooldownSeconds: 0, announceLevelUps: false } });
    await guild.message({ authorId: ALICE, channelId: GENERAL, content: 'a', createdAt: at(0) });
    await guild.message({ authorId: ALICE, channelId: GENERAL, content: 'b', createdAt: at(1) });
    await guild.message({ authorId: BOB, channelId: GENERAL, content: 'c', createdAt: at(2) });

    const mine = await guild.command('rank', { userId: ALICE });
    assert.equal(mine.ok, true, mine.error);
    const embed = mine.reply?.embeds?.[0];
    assert.equal(embed?.title, 'Level 2 · Rank #1'); // 300 XP: level 2 starts at 255
    const fields = Object.fromEntries((embed?.fields ?? []).map((f) => [f.name, f.value]));
    assert.equal(fields['Level'], '2');
    assert.equal(fields['Total XP'], '300');
    assert.equal(fields['Rank'], '#1 of 2');
    assert.equal(fields['Progress'], '45 / 220 XP (175 to go)');

    const bobs = await guild.command('rank', { userId: ALICE, options: { user: BOB } });
    assert.equal(bobs.reply?.embeds?.[0]?.title, 'Level 1 · Rank #2');
    assert.match(bobs.reply?.embeds?.[0]?.description ?? '', new RegExp(`<@${BOB}>`));

    const nobody = await guild.command('rank', { userId: CAROL });
    assert.equal(nobody.ok, true, nobody.error);
    assert.equal(nobody.reply?.ephemeral, true);
    assert.match(nobody.reply?.content ?? '', /no XP yet/);
  });

  it('/leaderboard lists the top members by XP', async () => {
    const guild = await h.guild({ name: 'Test Server', config: { minXp: 50, maxXp: 50, cooldownSeconds: 0, announceLevelUps: false } });
    const empty = await guild.command('leaderboard', { userId: ALICE });
    assert.equal(empty.ok, true, empty.error);
    assert.match(empty.reply?.content ?? '', /No one has earned XP yet/);

    // 12 members; member i sends i + 1 messages, so the last one leads.
    const members = Array.from({ length: 12 }, (_, i) => `8888888888888888${String(i).padStart(2, '0')}`);
    let s = 0;
    for (const [i, id] of members.entries()) {
      for (let n = 0; n <= i; n++) await guild.message({ authorId: id, channelId: GENERAL, content: 'x', createdAt: at(s++) });
    }
    const r = await guild.command('leaderboard', { userId: ALICE });
    assert.equal(r.ok, true, r.error);
    const lines = (r.reply?.embeds?.[0]?.description ?? '').split('\n');
    assert.equal(lines.length, 10);
    assert.equal(lines[0], `**1.** <@${members[11]}> · Level 3 · 600 XP`);
    assert.equal(lines[9], `**10.** <@${members[2]}> · Level 1 · 150 XP`);
    assert.match(r.reply?.embeds?.[0]?.footer?.text ?? '', /^12 members with XP$/);
  });

  it('ignores messages from bots', async () => {
    const guild = await h.guild({ name: 'Test Server', config: { minXp: 100, maxXp: 100 } });
    const r = await guild.message({ authorId: ALICE, bot: true, channelId: GENERAL, content: 'beep', createdAt: at(0) });
    assert.equal(r.ok, true, r.error);
    assert.deepEqual(r.actions, []);
    assert.equal(await totalXp(guild, ALICE), 0);
  });

  it('runs migration 001-initial when enabled for a guild', async () => {
    const guild = await h.guild({ name: 'Test Server', config: {} });
    const ns = { plugin: h.manifest.name, guildId: guild.id };
    assert.deepEqual(await h.store.appliedMigrations(ns), ['001-initial']);
    assert.equal((await h.store.get(ns, ['schema'])).get('schema'), JSON.stringify({ version: 1 }));
  });

  it('ranks correctly past one storage page (more than 1000 members)', async () => {
    const guild = await h.guild({ name: 'Big Server', config: { minXp: 10, maxXp: 10, cooldownSeconds: 0, announceLevelUps: false } });
    const members = Array.from({ length: 1100 }, (_, i) => `1${String(i).padStart(17, '0')}`);
    let s = 0;
    for (const id of members) await guild.message({ authorId: id, channelId: GENERAL, content: 'x', createdAt: at(s++) });
    // The member whose key sorts last (outside the first page) gets the most XP.
    const leader = members[members.length - 1]!;
    for (let n = 0; n < 3; n++) await guild.message({ authorId: leader, channelId: GENERAL, content: 'x', createdAt: at(s++) });

    const rank = await guild.command('rank', { userId: leader });
    assert.equal(rank.ok, true, rank.error);
    assert.equal(rank.reply?.embeds?.[0]?.fields?.find((f) => f.name === 'Rank')?.value, '#1 of 1,100');
    const board = await guild.command('leaderboard', { userId: ALICE });
    assert.equal(board.ok, true, board.error);
    assert.equal((board.reply?.embeds?.[0]?.description ?? '').split('\n')[0], `**1.** <@${leader}> · Level 0 · 40 XP`);
    assert.equal(board.reply?.embeds?.[0]?.footer?.text, '1,100 members with XP');
  });
});
