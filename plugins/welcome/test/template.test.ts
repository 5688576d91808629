import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DISCORD_MESSAGE_LIMIT,
  capLength,
  ordinal,
  renderTemplate,
  renderWelcome,
  sanitizeUserText,
  welcomeValues,
} from '../src/template.ts';

describe('ordinal', () => {
  it('uses st/nd/rd/th, with 11-13 as th', () => {
    const cases: Array<[number, string]> = [
      [0, '0th'], [1, '1st'], [2, '2nd'], [3, '3rd'], [4, '4th'], [10, '10th'], [11, '11th'], [12, '12th'], [13, '13th'],
      [21, '21st'], [22, '22nd'], [23, '23rd'], [42, '42nd'], [101, '101st'], [111, '111th'], [112, '112th'], [1013, '1013th'], [-1, '-1st'],
    ];
    for (const [n, expected] of cases) assert.equal(ordinal(n), expected, String(n));
  });
});

describe('renderTemplate', () => {
  it('replaces known placeholders and keeps unknown ones', () => {
    assert.equal(renderTemplate('Hi {name}, {unknown} {name}!', { name: 'Ann' }), 'Hi Ann, {unknown} Ann!');
  });

  it('formats numbers as ordinals with :ordinal', () => {
    assert.equal(renderTemplate('You are our {memberCount:ordinal} member (#{memberCount})', { memberCount: 42 }), 'You are our 42nd member (#42)');
  });

  it('renders unknown values as ?', () => {
    assert.equal(renderTemplate('{memberCount} / {memberCount:ordinal}', { memberCount: null }), '? / ?');
  });

  it('keeps placeholders with an unknown format', () => {
    assert.equal(renderTemplate('{memberCount:roman}', { memberCount: 4 }), '{memberCount:roman}');
  });

  it('does not look up inherited properties', () => {
    assert.equal(renderTemplate('{constructor} {toString}', {}), '{constructor} {toString}');
  });

  it('does not re-expand placeholders that come from values', () => {
    assert.equal(renderTemplate('{a} {b}', { a: '{b}', b: 'x' }), '{b} x');
  });
});

describe('sanitizeUserText', () => {
  it('breaks @everyone and @here pings', () => {
    const out = sanitizeUserText('@everyone hi @here @EVERYONE');
    assert.doesNotMatch(out, /@everyone|@here/i);
    assert.equal(out.replaceAll('\u200b', ''), '@everyone hi @here @EVERYONE');
  });

  it('breaks user and role mentions', () => {
    const out = sanitizeUserText('<@123456789012345678> <@&123456789012345678> <@!1>');
    assert.doesNotMatch(out, /<@/);
  });

  it('escapes markdown so a name like my_cool_name renders literally', () => {
    assert.equal(sanitizeUserText('my_cool_name'), 'my\\_cool\\_name');
    assert.equal(sanitizeUserText('**bold** `code` ~~x~~ ||spoiler|| a\\b'), '\\*\\*bold\\*\\* \\`code\\` \\~\\~x\\~\\~ \\|\\|spoiler\\|\\| a\\\\b');
  });
});

describe('capLength', () => {
  it('leaves short text alone', () => {
    assert.equal(capLength('hello', 10), 'hello');
    assert.equal(capLength('x'.repeat(2000)), 'x'.repeat(2000));
  });

  it('cuts long text to the limit with an ellipsis', () => {
    const out = capLength('x'.repeat(5000));
    assert.equal(out.length, DISCORD_MESSAGE_LIMIT);
    assert.ok(out.endsWith('…'));
  });

  it('never splits a surrogate pair', () => {
    assert.equal(capLength('a' + '😀'.repeat(10), 4), 'a😀…');
    const out = capLength('a' + '😀'.repeat(10), 3);
    assert.equal(out, 'a…');
    assert.doesNotThrow(() => encodeURIComponent(out));
  });
});

describe('welcome rendering', () => {
  const user = { id: '222222222222222222', username: 'alice', globalName: 'Alice A.' };
  const guild = { name: 'Test Server', memberCount: 42 };

  it('renders the default-style message', () => {
    const text = renderWelcome('Welcome {user} to {server}! You are member #{memberCount} ({memberCount:ordinal}). Hi {username} aka {displayName}', welcomeValues(user, guild));
    assert.equal(text, 'Welcome <@222222222222222222> to Test Server! You are member #42 (42nd). Hi alice aka Alice A.');
  });

  it('neutralises pings hidden in usernames and server names', () => {
    const values = welcomeValues({ id: '1', username: '@everyone', globalName: '@here' }, { name: '@everyone land', memberCount: 3 });
    const text = renderWelcome('{username} {displayName} {server}', values);
    assert.doesNotMatch(text, /@everyone|@here/);
  });

  it('falls back when the server is unknown', () => {
    const text = renderWelcome('Welcome to {server}, member {memberCount:ordinal}', welcomeValues(user, { name: null, memberCount: null }));
    assert.equal(text, 'Welcome to this server, member ?');
  });

  it('caps the output at 2000 characters even when a long template expands', () => {
    const text = renderWelcome('{server} '.repeat(200), welcomeValues(user, { name: 'a long server name', memberCount: 1 }));
    assert.equal(text.length, DISCORD_MESSAGE_LIMIT);
  });

  it('returns an empty string for a template that renders to whitespace', () => {
    assert.equal(renderWelcome('   ', welcomeValues(user, guild)), '');
  });
});
