// The operator's side of the admin API (/v1/admin/..., packages/protocol/src/admin.ts): each call sends the admin
// token as a Bearer token and passes the JSON answer through the protocol package's decoder, so only a checked shape
// reaches the screen. A refusal becomes an AdminApiError carrying the server's stable code.
import { decodeErrorBody } from '@sotto/protocol';

export class AdminApiError extends Error {
  readonly code: string;
  readonly status: number;
  constructor(code: string, status: number, message: string) {
    super(message);
    this.name = 'AdminApiError';
    this.code = code;
    this.status = status;
  }
}

/** The server's JSON error body (code, message) as an AdminApiError; HTTP_<status> when there is none. */
async function refusal(r: Response): Promise<AdminApiError> {
  const parsed = decodeErrorBody(await r.json().catch(() => undefined));
  return new AdminApiError(parsed?.code ?? `HTTP_${r.status}`, r.status, parsed?.message ?? `HTTP ${r.status}`);
}

export interface AdminHttp {
  get<T>(path: string, decode: (v: unknown) => T): Promise<T>;
  post<T>(path: string, body: unknown, decode: (v: unknown) => T): Promise<T>;
  /** The raw JSON text of an answer, for a file saved as received (the evidence bundle). */
  text(path: string): Promise<string>;
  /** The raw JSON text of a POST's answer, for a signed file saved as received (a disclosure package). */
  postText(path: string, body: unknown): Promise<string>;
}

/** An AdminHttp against this page's origin; `fetchFn` is the browser's fetch unless a test gives another. */
export function adminHttp(token: string, fetchFn: typeof fetch = fetch.bind(globalThis)): AdminHttp {
  const send = async (method: 'GET' | 'POST', path: string, body?: unknown): Promise<Response> => {
    let r: Response;
    try {
      r = await fetchFn(path, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        cache: 'no-store',
        credentials: 'omit',
      });
    } catch {
      throw new AdminApiError('NETWORK', 0, 'the server could not be reached');
    }
    if (!r.ok) throw await refusal(r);
    return r;
  };
  return {
    async get(path, decode) {
      return decode(await (await send('GET', path)).json());
    },
    async post(path, body, decode) {
      return decode(await (await send('POST', path, body)).json());
    },
    async text(path) {
      return (await send('GET', path)).text();
    },
    async postText(path, body) {
      return (await send('POST', path, body)).text();
    },
  };
}

/** A public document of this origin (no token sent), through its decoder; a refusal is an AdminApiError too. */
export async function publicGet<T>(path: string, decode: (v: unknown) => T, fetchFn: typeof fetch = fetch.bind(globalThis)): Promise<T> {
  let r: Response;
  try {
    r = await fetchFn(path, { headers: { accept: 'application/json' }, cache: 'no-store', credentials: 'omit' });
  } catch {
    throw new AdminApiError('NETWORK', 0, 'the server could not be reached');
  }
  if (!r.ok) throw await refusal(r);
  return decode(await r.json());
}

/** Offers `text` as a file download named `name` (the browser's own save, nothing kept). */
export function saveTextFile(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
