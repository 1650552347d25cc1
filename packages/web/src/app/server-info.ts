// What the server says about itself and what it keeps (GET /v1/inventory, decoded by @sotto/protocol): the account
// domain and the data inventory that the "what is protected" page is generated from.
import { decodeInventoryResponse, type InventoryResponse } from '@sotto/protocol';

export interface ServerInfo {
  domain: string;
  inventory: InventoryResponse;
}

let cached: Promise<ServerInfo | undefined> | undefined;

/** The server's inventory, or undefined when it publishes none (or an answer that does not decode). */
export function fetchServerInfo(): Promise<ServerInfo | undefined> {
  cached ??= fetch('/v1/inventory', { headers: { accept: 'application/json' } })
    .then(async (r) => {
      if (!r.ok) return undefined;
      const inventory = decodeInventoryResponse(await r.json());
      return { domain: inventory.server.domain, inventory };
    })
    .catch(() => undefined);
  return cached;
}
