import { defineEntity, p } from '@mikro-orm/core';

export const REGISTRY_INDEX_STATE_TABLE = 'registry_index_state';
/** The one row's id: the migration creates it, and the registry reads and writes only it. */
export const INDEX_STATE_ID = 1;

/**
 * The serial of the last index the registry signed. Each buildIndex increments it in the same
 * transaction that reads the versions, so serials are strictly increasing and never reused,
 * even across restarts and concurrent builders (they queue on this row's lock).
 */
export const RegistryIndexState = defineEntity({
  name: 'RegistryIndexState',
  tableName: REGISTRY_INDEX_STATE_TABLE,
  properties: {
    id: p.integer().primary().autoincrement(false),
    // bigint as number: a serial stays far below 2^53 (the index schema caps it there anyway)
    serial: p.bigint('number'),
    updatedAt: p.datetime().defaultRaw('now()'),
  },
});
