import { describe } from 'node:test';
import { MemoryPluginStore } from '../../src/storage/memory-plugin-store.ts';
import { pluginStoreContract } from './plugin-store-contract.ts';

describe('MemoryPluginStore', () => {
  const store = new MemoryPluginStore();
  pluginStoreContract(() => store);
});
