import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../config.ts';

test('the registry variables: port, host, data folder and trust store', () => {
  const config = loadConfig({ REGISTRY_PORT: '5000', REGISTRY_HOST: '0.0.0.0', REGISTRY_DATA_DIR: '/var/lib/townes/registry', REGISTRY_TRUST_STORE: '/etc/townes/publishers.json' });
  assert.equal(config.registryPort, 5000);
  assert.equal(config.registryHost, '0.0.0.0');
  assert.equal(config.registryDataDir, '/var/lib/townes/registry');
  assert.equal(config.registryTrustStore, '/etc/townes/publishers.json');
  assert.equal(loadConfig({ REGISTRY_PORT: '' }).registryPort, 4873);
});

test('a bad registry port or host is refused with a fix', () => {
  for (const env of [{ REGISTRY_PORT: '0' }, { REGISTRY_PORT: '70000' }, { REGISTRY_PORT: 'http' }, { REGISTRY_HOST: 'a host' }]) {
    assert.throws(() => loadConfig(env), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.issues.length, 1);
      assert.match(error.issues[0]?.variable ?? '', /^REGISTRY_(PORT|HOST)$/);
      assert.ok(error.issues[0]?.fix);
      return true;
    });
  }
});
