import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { test } from 'node:test';
import { MAX_DEFAULT_SANDBOX_HOSTS, defaultSandboxHosts } from '../../src/index.ts';

test('by default, one sandbox host per core beside the runner, at least one and at most four', () => {
  assert.deepEqual([1, 2, 3, 4, 5, 8, 64].map((cores) => defaultSandboxHosts(cores)), [1, 1, 2, 3, 4, 4, 4]);
  assert.equal(MAX_DEFAULT_SANDBOX_HOSTS, 4);
  assert.equal(defaultSandboxHosts(), defaultSandboxHosts(availableParallelism()), 'counts the cores this process may use');
});
