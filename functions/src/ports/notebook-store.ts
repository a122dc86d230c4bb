import type { ListSource } from '../domain/listing.ts';
import type { Notebook, NotebookVersion } from '../domain/notebook.ts';

export type { ListSource } from '../domain/listing.ts';

/** Where a source page starts: past this position in the source's order (see ListSource), at most `limit` items. */
export interface SourcePageRequest {
  past?: string;
  limit: number;
}

/** One page of a source: items past the position asked for, in the source's order. */
export interface SourcePage {
  items: Notebook[];
  /** Position of the last item read; undefined when the source has nothing more. */
  next?: string;
}

/** The fields PATCH may change; absent fields stay as they are. */
export interface NotebookChanges {
  title?: string;
  description?: string;
  tags?: string[];
  group?: string | null;
  visibility?: Notebook['visibility'];
  updatedAt: string;
}

/** A page of versions, oldest first. */
export interface VersionPage {
  items: NotebookVersion[];
  next?: number;
}

/** One step of bringing a store's indexes to the current layout. */
export interface IndexingStep {
  /** Nothing is left to index; listings read the current layout. */
  done: boolean;
  /** Notebooks this step indexed. */
  indexed: number;
}

/** Notebook metadata and versions. Multi-item changes are ordered single-item writes, safe to retry. */
export interface NotebookStore {
  /** Makes a notebook visible (its metadata is the commit point); ConflictError if the id exists. */
  createNotebook(notebook: Notebook): Promise<void>;
  /**
   * Reads a notebook, archived or not; null when absent. Its latestVersion is at least the highest
   * version written: a commit that wrote its version but failed before raising latestVersion still counts.
   */
  getNotebook(id: string): Promise<Notebook | null>;
  /** Applies changes; NotFoundError when absent or archived. Returns the notebook as now stored. */
  updateNotebook(id: string, changes: NotebookChanges): Promise<Notebook>;
  /** Archives a notebook (hidden from every listing). Archiving twice is harmless. */
  archiveNotebook(id: string, at: string): Promise<Notebook>;
  /** Reads one page of a listing source. */
  listSource(source: ListSource, page: SourcePageRequest): Promise<SourcePage>;
  /** Adds version `version.version`; ConflictError (code `version_taken`) if that number exists. */
  putVersion(version: NotebookVersion): Promise<void>;
  /** Raises the notebook's latestVersion to at least `version` (never lowers it). */
  advanceLatestVersion(id: string, version: number, updatedAt: string): Promise<void>;
  /** The highest version number written, 0 when none; read consistently. */
  highestVersion(id: string): Promise<number>;
  /** One version; null when absent. */
  getVersion(id: string, version: number): Promise<NotebookVersion | null>;
  /** Versions after `after`, oldest first. */
  listVersions(id: string, page: { after?: number; limit: number }): Promise<VersionPage>;
  /**
   * A value that moves on every write that may change what a listing shows (create, update, archive, a raised
   * latestVersion), read consistently; a cached listing page read under one stamp is stale once it moves.
   */
  listingStamp(): Promise<string>;
  /**
   * Can tag, group and owner sources be read split by audience (see planSources)? False only while a store's
   * indexes are still being brought to the layout that holds them.
   */
  listsByAudience(): Promise<boolean>;
  /** Can title searches read title sources (see planSources)? False only while a store's titles are being indexed. */
  indexesTitles(): Promise<boolean>;
  /**
   * Indexes up to `batch` notebooks written before the store's current index layout, resuming where the last step
   * stopped; listings are right throughout, and read less once it is done. Safe to call from several places.
   */
  advanceIndexing(batch: number): Promise<IndexingStep>;
}
