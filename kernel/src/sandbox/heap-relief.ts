export interface HeapRelief {
  rssBeforeBytes: number;
  rssAfterBytes: number;
  ms: number;
}

/**
 * Give memory V8 no longer uses back to the operating system.
 *
 * After a burst (a runner rehydrating 10,000 guilds, a flood of events) V8 keeps the pages it
 * freed in a pool and keeps its young generation at the size the burst grew it to; neither shows
 * in `heapUsed`, both stay in RSS, and V8's own memory reducer did not return them here even
 * after a minute of quiet (measured: a runner at 304 MB RSS with a 53 MB heap). A "low memory"
 * collection returns them (304 to 165 MB, 65 ms). Node's public path to that collection is the
 * inspector's `HeapProfiler.collectGarbage`, on an in-process session that opens no port;
 * `--expose-gc` would also hand `gc()` to every plugin isolate created in the process.
 */
export async function releaseFreedHeap(): Promise<HeapRelief> {
  const started = performance.now();
  const rssBeforeBytes = process.memoryUsage.rss();
  // Imported here: a Node built without the inspector throws on import, and only relief needs it.
  const { Session } = await import('node:inspector/promises');
  const session = new Session();
  session.connect();
  try {
    await session.post('HeapProfiler.collectGarbage');
  } finally {
    session.disconnect();
  }
  return { rssBeforeBytes, rssAfterBytes: process.memoryUsage.rss(), ms: performance.now() - started };
}
