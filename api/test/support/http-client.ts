/** A tiny HTTP client for tests: real requests over the network, with a cookie jar like a browser's. */
export interface HttpReply {
  status: number;
  headers: Headers;
  body: unknown;
}

export class HttpClient {
  readonly baseUrl: string;
  readonly cookies = new Map<string, string>();
  readonly extraHeaders: Record<string, string> = {};

  constructor(baseUrl: string) {
    this.baseUrl = baseUrl;
  }

  get(path: string): Promise<HttpReply> {
    return this.request('GET', path);
  }

  post(path: string, body?: unknown): Promise<HttpReply> {
    return this.request('POST', path, body);
  }

  put(path: string, body?: unknown): Promise<HttpReply> {
    return this.request('PUT', path, body);
  }

  delete(path: string): Promise<HttpReply> {
    return this.request('DELETE', path);
  }

  /** `body` undefined: no body; a string: sent as is (for malformed-JSON tests); else JSON. */
  async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpReply> {
    const h: Record<string, string> = { ...this.extraHeaders, ...headers };
    if (this.cookies.size > 0) h.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (body !== undefined && !h['content-type']) h['content-type'] = 'application/json';
    const res = await fetch(this.baseUrl + path, { method, headers: h, redirect: 'manual', body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, headers: res.headers, body: parsed };
  }
}
