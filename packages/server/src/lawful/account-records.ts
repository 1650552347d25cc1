// The records an answer discloses (docs/for-law-enforcement.md): for each named account, the rows the data inventory's
// lookups find in every table of the categories asked, with the inventory's description of each column. Nothing here
// is written by hand: a new table or column enters answers through its inventory entry (storage/data-inventory.ts).
import type { DisclosureAccount, InventoryCategory } from '@sotto/protocol';

export interface AccountRecords {
  /** The account's rows in the tables of `categories`; `found: false` and no rows when there is no such account. */
  collect(account: string, categories: readonly InventoryCategory[]): Promise<DisclosureAccount>;
}
