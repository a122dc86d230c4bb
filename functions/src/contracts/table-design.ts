/** One global secondary index of the table: its name and key attributes (string keys, ALL projected). */
export interface IndexDesign {
  name: string;
  partitionKey: string;
  sortKey: string;
}

/**
 * The single table's keys and indexes, shared by the DynamoDB adapters, local table creation and CDK.
 * Notebook items: gsi1 by owner · gsi2 by audience (the org, a team, or the owner alone) · gsi3 by group · gsi4 all
 * (admins). A notebook's listing entries (`NB#<id>` / `E#…`, a copy of its listed fields per tag, group and owner,
 * and one for its title, for its audience): gsi1 by that partition (`BYTAG#<tag>#AUD#…`; titles
 * `BYTITLE#AUD#…` sorted by title), gsi3 by tag and all titles (`BYTITLE`) for admins, gsi2 while a write is
 * pending. One item (`LISTINGS`/`STAMP`) counts the writes that change listings, so a cached listing page knows
 * when it is stale.
 */
export const TABLE_DESIGN = {
  partitionKey: 'PK',
  sortKey: 'SK',
  indexes: [
    { name: 'gsi1', partitionKey: 'GSI1PK', sortKey: 'GSI1SK' },
    { name: 'gsi2', partitionKey: 'GSI2PK', sortKey: 'GSI2SK' },
    { name: 'gsi3', partitionKey: 'GSI3PK', sortKey: 'GSI3SK' },
    { name: 'gsi4', partitionKey: 'GSI4PK', sortKey: 'GSI4SK' },
  ] satisfies IndexDesign[],
} as const;
