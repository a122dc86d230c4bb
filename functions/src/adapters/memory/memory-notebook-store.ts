import { ConflictError, NotFoundError } from '../../domain/errors.ts';
import { audienceOf, sameAudience } from '../../domain/listing.ts';
import { comesFirst, type ListingOrder, positionOf, titleKey } from '../../domain/listing-order.ts';
import type { Notebook, NotebookVersion } from '../../domain/notebook.ts';
import type {
  IndexingStep,
  ListSource,
  NotebookChanges,
  NotebookStore,
  SourcePage,
  SourcePageRequest,
  VersionPage,
} from '../../ports/notebook-store.ts';

const inSource = (source: ListSource, nb: Notebook): boolean => {
  if (nb.archived) return false;
  if ('audience' in source && source.audience && !sameAudience(source.audience, audienceOf(nb))) return false;
  switch (source.kind) {
    case 'owner':
      return nb.owner === source.owner;
    case 'ownerOnly':
      return nb.owner === source.owner && (nb.visibility === 'private' || (nb.visibility === 'team' && !nb.team));
    case 'team':
      return nb.visibility === 'team' && nb.team === source.team;
    case 'org':
      return nb.visibility === 'org';
    case 'group':
      return nb.group === source.group;
    case 'tag':
      return nb.tags.includes(source.tag);
    case 'title':
      return titleKey(nb).startsWith(source.prefix);
    case 'all':
      return true;
  }
};

const copy = <T>(value: T): T => structuredClone(value);

/** Notebooks in Maps, for unit tests; behaves as the DynamoDB store does, checked by the contract suite. */
export class MemoryNotebookStore implements NotebookStore {
  private readonly notebooks = new Map<string, Notebook>();
  private readonly versions = new Map<string, NotebookVersion>();
  private stamp = 0;

  async createNotebook(notebook: Notebook): Promise<void> {
    if (this.notebooks.has(notebook.id)) throw new ConflictError(`notebook ${notebook.id} exists`);
    this.notebooks.set(notebook.id, copy(notebook));
    this.stamp += 1;
  }

  async getNotebook(id: string): Promise<Notebook | null> {
    const nb = this.notebooks.get(id);
    if (!nb) return null;
    // As the DynamoDB store: a version written without raising latestVersion (a crash between) is still the latest.
    const highest = await this.highestVersion(id);
    if (highest > nb.latestVersion) {
      const top = this.versions.get(`${id}#${highest}`)!;
      Object.assign(nb, {
        latestVersion: highest,
        updatedAt: top.createdAt > nb.updatedAt ? top.createdAt : nb.updatedAt,
      });
      this.stamp += 1;
    }
    return copy(nb);
  }

  async updateNotebook(id: string, changes: NotebookChanges): Promise<Notebook> {
    const nb = this.notebooks.get(id);
    if (!nb || nb.archived) throw new NotFoundError(`notebook ${id} not found`);
    const defined = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
    Object.assign(nb, defined);
    this.stamp += 1;
    return copy(nb);
  }

  async archiveNotebook(id: string, at: string): Promise<Notebook> {
    const nb = this.notebooks.get(id);
    if (!nb) throw new NotFoundError(`notebook ${id} not found`);
    if (!nb.archived) {
      Object.assign(nb, { archived: true, archivedAt: at, updatedAt: at });
      this.stamp += 1;
    }
    return copy(nb);
  }

  async listSource(source: ListSource, page: SourcePageRequest): Promise<SourcePage> {
    // As an index would: title sources by title key, A to Z; the others newest first.
    const order: ListingOrder = source.kind === 'title' ? 'title' : 'newest';
    const all = [...this.notebooks.values()]
      .filter((nb) => inSource(source, nb))
      .map((nb) => ({ nb, key: positionOf(order, nb) }))
      .filter(({ key }) => page.past === undefined || comesFirst(order, page.past, key))
      .sort((a, b) => (comesFirst(order, a.key, b.key) ? -1 : 1));
    const items = all.slice(0, page.limit);
    const last = items.at(-1);
    return { items: items.map(({ nb }) => copy(nb)), next: all.length > page.limit && last ? last.key : undefined };
  }

  async putVersion(version: NotebookVersion): Promise<void> {
    const key = `${version.notebookId}#${version.version}`;
    if (this.versions.has(key)) throw new ConflictError(`version ${version.version} exists`, 'version_taken');
    this.versions.set(key, copy(version));
  }

  async advanceLatestVersion(id: string, version: number, updatedAt: string): Promise<void> {
    const nb = this.notebooks.get(id);
    if (!nb || nb.latestVersion >= version) return;
    Object.assign(nb, { latestVersion: version, updatedAt });
    this.stamp += 1;
  }

  async highestVersion(id: string): Promise<number> {
    let n = 0;
    while (this.versions.has(`${id}#${n + 1}`)) n += 1;
    return n;
  }

  async getVersion(id: string, version: number): Promise<NotebookVersion | null> {
    const v = this.versions.get(`${id}#${version}`);
    return v ? copy(v) : null;
  }

  async listVersions(id: string, page: { after?: number; limit: number }): Promise<VersionPage> {
    const highest = await this.highestVersion(id);
    const items: NotebookVersion[] = [];
    for (let n = (page.after ?? 0) + 1; n <= highest && items.length < page.limit; n += 1)
      items.push(copy(this.versions.get(`${id}#${n}`)!));
    const last = items.at(-1)?.version;
    return { items, next: last !== undefined && last < highest ? last : undefined };
  }

  async listingStamp(): Promise<string> {
    return String(this.stamp);
  }

  /** Memory filters each source whole, by audience too. */
  async listsByAudience(): Promise<boolean> {
    return true;
  }

  async indexesTitles(): Promise<boolean> {
    return true;
  }

  /** Memory has no index to bring up to date. */
  async advanceIndexing(_batch: number): Promise<IndexingStep> {
    return { done: true, indexed: 0 };
  }
}
