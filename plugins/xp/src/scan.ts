/**
 * Read every entry under a prefix: one `storage.list` call returns at most a page (1000 entries
 * in kernel API 1.x), so read page after page, each starting after the last key of the previous.
 */

/** The most entries one `storage.list` call returns (kernel API 1.x). */
export const LIST_PAGE = 1000;

export interface Lister {
  list(options: { prefix: string; limit: number; after?: string }): Promise<Array<{ key: string; value: unknown }>>;
}

export async function listAll(storage: Lister, prefix: string, pageSize: number = LIST_PAGE): Promise<Array<{ key: string; value: unknown }>> {
  const out: Array<{ key: string; value: unknown }> = [];
  let after: string | undefined;
  for (;;) {
    const page = await storage.list(after === undefined ? { prefix, limit: pageSize } : { prefix, limit: pageSize, after });
    out.push(...page);
    const last = page.at(-1);
    if (page.length < pageSize || !last) return out;
    after = last.key;
  }
}
