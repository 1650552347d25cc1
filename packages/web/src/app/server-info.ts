// What the server says about itself and what it keeps (GET /v1/inventory): the account domain and the data inventory
// that the "what is protected" page is generated from.
export interface ServerInfo {
  domain?: string;
  inventory: unknown;
}

let cached: Promise<ServerInfo | undefined> | undefined;

export function fetchServerInfo(): Promise<ServerInfo | undefined> {
  cached ??= fetch('/v1/inventory', { headers: { accept: 'application/json' } })
    .then(async (r) => {
      if (!r.ok) return undefined;
      const body = (await r.json()) as { server?: { domain?: unknown } };
      const domain = typeof body.server?.domain === 'string' ? body.server.domain : undefined;
      return { ...(domain ? { domain } : {}), inventory: body };
    })
    .catch(() => undefined);
  return cached;
}
