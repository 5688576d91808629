import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { checkIntegrity, integrityOf, IntegrityError } from '../../src/package/index.ts';

const bytes = Buffer.from('a plugin tarball');
const sha = (algorithm: string) => `${algorithm}-${createHash(algorithm).update(bytes).digest('base64')}`;

describe('integrity', () => {
  it('is npm\'s SRI form: sha512-<base64 of the digest>', () => {
    assert.equal(integrityOf(bytes), sha('sha512'));
    // The well-known sha512 of no bytes.
    assert.equal(integrityOf(Buffer.alloc(0)), 'sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==');
  });

  it('checks matching bytes, and any changed byte fails', () => {
    const integrity = integrityOf(bytes);
    assert.equal(checkIntegrity(bytes, integrity), true);
    assert.equal(checkIntegrity(bytes, ` ${integrity}\n`), true, 'surrounding whitespace is tolerated');
    const changed = Buffer.from(bytes);
    changed[0]! ^= 1;
    assert.equal(checkIntegrity(changed, integrity), false);
    assert.equal(checkIntegrity(bytes, integrityOf(changed)), false);
  });

  it('refuses other algorithms clearly instead of answering false', () => {
    for (const algorithm of ['sha1', 'sha256', 'sha384', 'md5']) {
      assert.throws(() => checkIntegrity(bytes, sha(algorithm)), (error: unknown) => {
        assert.ok(error instanceof IntegrityError);
        assert.equal(error.code, 'UNSUPPORTED_ALGORITHM');
        assert.match(error.message, new RegExp(`uses ${algorithm}; only sha512 is accepted`));
        return true;
      });
    }
  });

  it('refuses malformed integrity strings', () => {
    const good = integrityOf(bytes);
    for (const bad of ['', 'sha512', 'sha512-', 'sha512-!!!', `${good} ${sha('sha1')}`, `sha512-${Buffer.alloc(32).toString('base64')}`, good.replace('==', ''), `${good}?opts`]) {
      assert.throws(() => checkIntegrity(bytes, bad), (error: unknown) => error instanceof IntegrityError && error.code === 'MALFORMED_INTEGRITY', `should refuse ${JSON.stringify(bad)}`);
    }
  });
});
