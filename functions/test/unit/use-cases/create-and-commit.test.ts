import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  PayloadTooLargeError,
  UnprocessableError,
  ValidationError,
} from '../../../src/domain/errors.ts';
import { archiveNotebook } from '../../../src/use-cases/archive-notebook.ts';
import { commitVersion } from '../../../src/use-cases/commit-version.ts';
import { createNotebook } from '../../../src/use-cases/create-notebook.ts';
import { listVersions } from '../../../src/use-cases/list-versions.ts';
import { readVersionBody } from '../../../src/use-cases/load-version.ts';
import { memoryDeps, people } from '../../support/fakes.ts';
import { tinyNotebook } from '../../support/notebooks.ts';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const bytes = (text: string) => new TextEncoder().encode(text);

describe('createNotebook', () => {
  it('makes version 1 from inline content and stores the body byte for byte', async () => {
    // Prepare
    const deps = memoryDeps();
    const body = tinyNotebook('hé 🚀').replace('\n', '\r\n');
    // Act
    const created = await createNotebook(deps, {
      user: people.alice,
      title: 'Churn',
      tags: ['ads', 'ads', 'q3'],
      content: body,
    });
    // Assess
    expect(created.notebook).toMatchObject({
      owner: 'alice',
      team: 'ads',
      visibility: 'private',
      tags: ['ads', 'q3'],
      latestVersion: 1,
    });
    expect(created.version).toMatchObject({
      version: 1,
      author: 'alice',
      sha256: sha(body),
      nbformat: 4,
      kernel: { name: 'python3', language: 'python' },
    });
    expect(created.version?.parameters.parameters).toEqual([
      expect.objectContaining({ name: 'n', type: 'int', default: 3, help: 'how many' }),
    ]);
    const read = await readVersionBody(deps, { user: people.alice, notebookId: created.notebook.id });
    expect(new TextDecoder().decode(read.bytes)).toBe(body);
  });

  it('returns an upload form bounded by the upload limit and no version when no content comes', async () => {
    const deps = memoryDeps();
    const created = await createNotebook(deps, { user: people.alice, title: 'Later' });
    expect(created.version).toBeNull();
    expect(created.upload).toMatchObject({
      method: 'POST',
      maxBytes: deps.limits.uploadBytes,
      uploadId: expect.stringMatching(/^up-/),
    });
    expect(created.notebook.latestVersion).toBe(0);
  });

  it('writes nothing when the content is not a notebook, naming what is wrong and where', async () => {
    const deps = memoryDeps();
    const bad = tinyNotebook().replace('"cell_type": "markdown"', '"cell_type": "prose"');
    const err = await createNotebook(deps, { user: people.alice, title: 'Bad', content: bad }).catch((e) => e);
    expect(err).toBeInstanceOf(UnprocessableError);
    expect(err.details[0].path).toBe('cells[0].cell_type');
    expect(deps.bodies.bodies.size).toBe(0);
    expect((await deps.notebooks.listSource({ kind: 'all' }, { limit: 10 })).items).toEqual([]);
  });

  it('tells how to upgrade an nbformat 3 notebook', async () => {
    const deps = memoryDeps();
    const err = await createNotebook(deps, {
      user: people.alice,
      title: 'Old',
      content: '{"nbformat": 3, "nbformat_minor": 0, "worksheets": []}',
    }).catch((e) => e);
    expect(err).toBeInstanceOf(UnprocessableError);
    expect(err.message).toMatch(/nbformat 3.*nbconvert --to notebook --nbformat 4/s);
  });

  it('refuses tags that are not slugs, too many tags, and team visibility without a team', async () => {
    const deps = memoryDeps();
    await expect(createNotebook(deps, { user: people.alice, title: 'x', tags: ['Not A Slug'] })).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(
      createNotebook(deps, { user: people.alice, title: 'x', tags: Array.from({ length: 51 }, (_, i) => `t${i}`) }),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(createNotebook(deps, { user: people.loner, title: 'x', visibility: 'team' })).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(createNotebook(deps, { user: people.alice, title: 'x', team: 'risk' })).rejects.toBeInstanceOf(
      ValidationError,
    );
  });

  it('refuses inline content over the limit with a hint to use an upload', async () => {
    const deps = { ...memoryDeps(), limits: { inlineBytes: 100, uploadBytes: 1000, urlSeconds: 60 } };
    await expect(createNotebook(deps, { user: people.alice, title: 'Big', content: tinyNotebook() })).rejects.toThrow(
      PayloadTooLargeError,
    );
    await expect(createNotebook(deps, { user: people.alice, title: 'Big', content: tinyNotebook() })).rejects.toThrow(
      /upload/,
    );
  });
});

describe('commitVersion', () => {
  it('commits an uploaded body whose sha256 matches, and forgets the upload', async () => {
    const deps = memoryDeps();
    const { notebook, upload } = await createNotebook(deps, { user: people.alice, title: 'Two step' });
    const body = tinyNotebook('uploaded');
    deps.bodies.simulateUpload(notebook.id, upload!.uploadId, bytes(body));
    const version = await commitVersion(deps, {
      user: people.alice,
      notebookId: notebook.id,
      uploadId: upload!.uploadId,
      sha256: sha(body),
      message: 'first',
    });
    expect(version).toMatchObject({ version: 1, message: 'first', sha256: sha(body), size: bytes(body).byteLength });
    expect((await deps.notebooks.getNotebook(notebook.id))?.latestVersion).toBe(1);
    expect(deps.bodies.uploads.size).toBe(0);
  });

  it('refuses an upload whose hash differs from the one named, and keeps the archive as it was', async () => {
    const deps = memoryDeps();
    const { notebook, upload } = await createNotebook(deps, { user: people.alice, title: 'Mismatch' });
    deps.bodies.simulateUpload(notebook.id, upload!.uploadId, bytes(tinyNotebook()));
    await expect(
      commitVersion(deps, {
        user: people.alice,
        notebookId: notebook.id,
        uploadId: upload!.uploadId,
        sha256: 'a'.repeat(64),
      }),
    ).rejects.toMatchObject({ code: 'hash_mismatch' });
    expect(await deps.notebooks.highestVersion(notebook.id)).toBe(0);
    expect(deps.bodies.bodies.size).toBe(0);
  });

  it('answers 409 saying to commit again, and writes nothing, when the upload is replaced during the commit', async () => {
    // Prepare
    const deps = memoryDeps();
    const { notebook, upload } = await createNotebook(deps, { user: people.alice, title: 'Swapped' });
    const body = tinyNotebook('first');
    deps.bodies.simulateUpload(notebook.id, upload!.uploadId, bytes(body));
    deps.bodies.betweenCheckAndRead = async (nb, up) =>
      deps.bodies.simulateUpload(nb, up, bytes(tinyNotebook('x'.repeat(10_000))));
    // Act
    const commit = commitVersion(deps, {
      user: people.alice,
      notebookId: notebook.id,
      uploadId: upload!.uploadId,
      sha256: sha(body),
    });
    // Assess
    await expect(commit).rejects.toBeInstanceOf(ConflictError);
    await expect(commit).rejects.toMatchObject({
      code: 'upload_changed',
      message: expect.stringMatching(/commit again/),
    });
    expect(await deps.notebooks.highestVersion(notebook.id)).toBe(0);
    expect(deps.bodies.bodies.size).toBe(0);
  });

  it('refuses a commit when nothing was uploaded', async () => {
    const deps = memoryDeps();
    const { notebook, upload } = await createNotebook(deps, { user: people.alice, title: 'Nothing' });
    await expect(
      commitVersion(deps, {
        user: people.alice,
        notebookId: notebook.id,
        uploadId: upload!.uploadId,
        sha256: 'a'.repeat(64),
      }),
    ).rejects.toBeInstanceOf(ConflictError);
  });

  it('keeps versions contiguous when twenty commits race', async () => {
    const deps = memoryDeps();
    const { notebook } = await createNotebook(deps, { user: people.alice, title: 'Race', content: tinyNotebook('v1') });
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        commitVersion(deps, { user: people.alice, notebookId: notebook.id, content: tinyNotebook(`r${i}`) }),
      ),
    );
    const { items } = await listVersions(deps, { user: people.alice, notebookId: notebook.id, limit: 100 });
    expect(items.map((v) => v.version)).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
    expect((await deps.notebooks.getNotebook(notebook.id))?.latestVersion).toBe(21);
  });

  it('lets only the owner and admins commit: 403 for a teammate who can read, 404 for one who cannot', async () => {
    const deps = memoryDeps();
    const { notebook } = await createNotebook(deps, {
      user: people.alice,
      title: 'Shared',
      visibility: 'team',
      content: tinyNotebook(),
    });
    await expect(
      commitVersion(deps, { user: people.amir, notebookId: notebook.id, content: tinyNotebook() }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    await expect(
      commitVersion(deps, { user: people.bob, notebookId: notebook.id, content: tinyNotebook() }),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      commitVersion(deps, { user: people.root, notebookId: notebook.id, content: tinyNotebook() }),
    ).resolves.toMatchObject({ version: 2, author: 'root' });
  });

  it('refuses commits to an archived notebook', async () => {
    const deps = memoryDeps();
    const { notebook } = await createNotebook(deps, { user: people.alice, title: 'Old', content: tinyNotebook() });
    await archiveNotebook(deps, { user: people.alice, notebookId: notebook.id });
    await expect(
      commitVersion(deps, { user: people.alice, notebookId: notebook.id, content: tinyNotebook() }),
    ).rejects.toMatchObject({ code: 'archived' });
  });
});
