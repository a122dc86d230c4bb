import type { AwsCredentials } from '../domain/credentials.ts';
import { byTableOrder, tableMatches, type CatalogTable } from '../domain/data-table.ts';
import { AppError } from '../domain/errors.ts';
import { MIN_SESSION_SECONDS, roleFor } from '../domain/role.ts';
import type { Server } from '../domain/server.ts';
import { type FilledTemplate, templatesFor, type TemplateRegistry } from '../domain/table-templates.ts';
import type { User } from '../domain/user.ts';
import type { DataCatalog } from '../ports/data-catalog.ts';
import type { CredentialDeps } from './credential-deps.ts';
import { issueRoleSession } from './issue-credentials.ts';

/** What listing a server's tables needs: its catalogs, the templates, and the broker for its role's keys. */
export type ListTablesDeps = Pick<
  CredentialDeps,
  'roles' | 'broker' | 'credentialLog' | 'clock' | 'ids' | 'sessionCapSeconds'
> & {
  catalogs: readonly DataCatalog[];
  tableTemplates: TemplateRegistry;
};

/** A table with the code to query it, as the data-tables panel shows it. */
export type DataTable = CatalogTable & { templates: FilledTemplate[] };

/** The tables a server's notebooks can read, and why a catalog shows none when one does not. */
export interface TablesAnswer {
  items: DataTable[];
  note?: string;
}

/** The most tables one catalog lists in one answer; past it the panel says to search. */
export const TABLES_PER_CATALOG = 1000;

const NO_ROLE =
  'This server has no AWS role, so no Glue tables are listed: choose a role (AWS credentials) to see the tables it ' +
  'can read.';

// Keys for the server's role, for its owner: the same entitlement check and audit record as the sidecar's keys, for
// the shortest session STS issues (they only list the catalog).
const roleKeys = async (deps: ListTablesDeps, user: User, server: Server): Promise<AwsCredentials> => {
  const role = roleFor(user, deps.roles, server.role as string);
  return issueRoleSession(deps, {
    user,
    role,
    purpose: 'server',
    durationSeconds: MIN_SESSION_SECONDS,
    serverId: server.id,
  });
};

// One catalog's tables, or the note that says why there are none; only the platform's own errors become notes.
const listOne = async (
  catalog: DataCatalog,
  keys: () => Promise<AwsCredentials>,
): Promise<{ tables: CatalogTable[]; notes: string[] }> => {
  try {
    const listing = await catalog.listTables({
      keys: catalog.needsKeys ? await keys() : undefined,
      limit: TABLES_PER_CATALOG,
    });
    const notes = [...(listing.problems ?? []).map((p) => `${catalog.kind}: ${p}`)];
    if (listing.truncated)
      notes.push(`${catalog.kind}: only the first ${TABLES_PER_CATALOG} tables are listed; search to narrow them`);
    return { tables: listing.tables, notes };
  } catch (err) {
    if (err instanceof AppError) return { tables: [], notes: [`${catalog.kind}: ${err.message}`] };
    throw err;
  }
};

/**
 * GET /servers/{name}/lab/tables: the tables the server's notebooks can read, for its owner (the server token's
 * caller), each with the registry's templates filled in for it.
 * 1. Catalogs that need keys (Glue) are listed with keys for the server's role, issued to the owner as the sidecar's
 *    are (held by the teams recorded on the server, recorded in the credential log); without a role they show
 *    nothing and the note says how to set one.
 * 2. Local catalogs (SQLite files) are listed as they are.
 * 3. A catalog that refuses or fails adds a note and the others are still listed; the search keeps tables whose
 *    database, name or a column holds it.
 */
export const listTables = async (
  deps: ListTablesDeps,
  input: { user: User; server: Server; search?: string },
): Promise<TablesAnswer> => {
  let keys: Promise<AwsCredentials> | undefined;
  const keysOnce = () => {
    keys ??= roleKeys(deps, input.user, input.server);
    return keys;
  };
  const tables: CatalogTable[] = [];
  const notes: string[] = [];
  for (const catalog of deps.catalogs) {
    if (catalog.needsKeys && !input.server.role) {
      notes.push(NO_ROLE);
      continue;
    }
    const one = await listOne(catalog, keysOnce);
    tables.push(...one.tables);
    notes.push(...one.notes);
  }
  const items = tables
    .filter((t) => tableMatches(t, input.search))
    .sort(byTableOrder)
    .map((t) => ({ ...t, templates: templatesFor(deps.tableTemplates, t) }));
  return { items, ...(notes.length ? { note: notes.join(' ') } : {}) };
};
