export { createTestDatabase, TEST_POSTGRES_SERVER, type TestDatabase } from './postgres.ts';
