/**
 * Read every entry under a prefix although one `storage.list` call returns at most a page
 * (1000 entries in kernel API 1.x) and has no cursor: when a page comes back full, split the
 * prefix by its next character and read each part, recursively. Member keys are `u:` plus a
 * numeric Discord id, so the next character is a digit; keys are returned in key order.
 */

/** The most entries one `storage.list` call returns (kernel API 1.x). */
export const LIST_PAGE = 1000;

const NEXT_CHARS = '0123456789';

export interface Lister {
  list(options: { prefix: string; limit: number }): Promise<Array<{ key: string; value: unknown }>>;
}

export async function listAll(storage: Lister, prefix: string, pageSize: number = LIST_PAGE): Promise<Array<{ key: string; value: unknown }>> {
  const page = await storage.list({ prefix, limit: pageSize });
  if (page.length < pageSize) return page;
  const out: Array<{ key: string; value: unknown }> = [];
  const exact = page.find((e) => e.key === prefix);
  if (exact) out.push(exact);
  for (const c of NEXT_CHARS) {
    for (const entry of await listAll(storage, prefix + c, pageSize)) out.push(entry);
  }
  return out;
}
