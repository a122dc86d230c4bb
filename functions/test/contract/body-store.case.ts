import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, PayloadTooLargeError } from '../../src/domain/errors.ts';
import type { BodyStore, PresignedPost } from '../../src/ports/body-store.ts';

/** How a contract run reaches an adapter: the store, and how a client would POST to an upload form. */
export interface BodyStoreHarness {
  store: BodyStore;
  upload(notebookId: string, uploadId: string, bytes: Uint8Array): Promise<void>;
  /** Arranges for the upload to be replaced by `bytes` right after the store's next size check of it. */
  replaceDuringRead(notebookId: string, uploadId: string, bytes: Uint8Array): void;
  /** POSTs a file to a presigned form, when the adapter's forms are real; the storage's HTTP status. */
  postForm?: (post: PresignedPost, bytes: Uint8Array) => Promise<number>;
  /** Replaces a stored body's bytes behind the store's back, as a stray writer could. */
  tamper(sha256: string, bytes: Uint8Array): Promise<void>;
  /** Fetches a presigned download, when the adapter's URLs are real. */
  download?: (url: string) => Promise<{ bytes: Uint8Array; disposition: string | null }>;
}

const bytesOf = (text: string) => new TextEncoder().encode(text);
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** The behaviour every BodyStore must have; each adapter's test file runs it. */
export const bodyStoreContract = (name: string, make: () => Promise<BodyStoreHarness>) =>
  describe(`BodyStore contract: ${name}`, () => {
    it('stores bytes under their sha256 once and returns them byte for byte', async () => {
      const { store } = await make();
      const body = bytesOf('{"x": "é 🚀"}\r\n  ');
      const first = await store.putBody(body);
      const second = await store.putBody(body);
      expect(first).toEqual({ key: `bodies/${sha(body)}`, sha256: sha(body), size: body.byteLength });
      expect(second).toEqual(first);
      expect(Buffer.from(await store.getBody(first.sha256)).equals(Buffer.from(body))).toBe(true);
    });

    it('refuses to serve a body that no longer hashes to its address', async () => {
      const h = await make();
      const { sha256 } = await h.store.putBody(bytesOf('{"original": true}'));
      await h.tamper(sha256, bytesOf('{"original": false}'));
      await expect(h.store.getBody(sha256)).rejects.toMatchObject({ code: 'upstream_unavailable' });
    });

    it('reports a missing body as not found', async () => {
      const { store } = await make();
      await expect(store.getBody('f'.repeat(64))).rejects.toBeInstanceOf(NotFoundError);
    });

    it('reads an upload with its hash, refuses one over the limit, and forgets it when deleted', async () => {
      const h = await make();
      expect(await h.store.readUpload('nb-00000000000000aa', 'up-00000000000000aa', 100)).toBeNull();
      const body = bytesOf('0123456789'.repeat(5));
      await h.upload('nb-00000000000000aa', 'up-00000000000000aa', body);
      expect(await h.store.readUpload('nb-00000000000000aa', 'up-00000000000000aa', 100)).toEqual({
        bytes: expect.anything(),
        sha256: sha(body),
      });
      await expect(h.store.readUpload('nb-00000000000000aa', 'up-00000000000000aa', 49)).rejects.toBeInstanceOf(
        PayloadTooLargeError,
      );
      await h.store.deleteUpload('nb-00000000000000aa', 'up-00000000000000aa');
      await h.store.deleteUpload('nb-00000000000000aa', 'up-00000000000000aa');
      expect(await h.store.readUpload('nb-00000000000000aa', 'up-00000000000000aa', 100)).toBeNull();
    });

    it('presigns a form upload that storage refuses past the limit it was signed for', async () => {
      // Prepare
      const h = await make();
      // Act
      const post = await h.store.presignUpload('nb-00000000000000bb', 'up-00000000000000bb', 60, 1000);
      // Assess
      expect(post).toMatchObject({ method: 'POST', maxBytes: 1000, fields: expect.any(Object) });
      expect(Date.parse(post.expiresAt)).toBeGreaterThan(Date.now());
      if (!h.postForm) return;
      expect(await h.postForm(post, new Uint8Array(1001).fill(32))).toBe(400);
      expect(await h.store.readUpload('nb-00000000000000bb', 'up-00000000000000bb', 10_000)).toBeNull();
      expect(await h.postForm(post, new Uint8Array(1000).fill(32))).toBeLessThan(300);
      expect((await h.store.readUpload('nb-00000000000000bb', 'up-00000000000000bb', 1000))?.bytes.byteLength).toBe(
        1000,
      );
    });

    it('refuses with a 409 an upload replaced between its size check and its read, reading none of the new bytes', async () => {
      // Prepare
      const h = await make();
      await h.upload('nb-00000000000000cc', 'up-00000000000000cc', bytesOf('{"cells": []}'));
      h.replaceDuringRead('nb-00000000000000cc', 'up-00000000000000cc', new Uint8Array(5000).fill(120));
      // Act
      const read = h.store.readUpload('nb-00000000000000cc', 'up-00000000000000cc', 100);
      // Assess
      await expect(read).rejects.toBeInstanceOf(ConflictError);
      await expect(read).rejects.toMatchObject({
        code: 'upload_changed',
        message: expect.stringMatching(/commit again/),
      });
    });

    it('presigns a download that serves the body as an attachment', async () => {
      const h = await make();
      const body = bytesOf('{"cells": []}');
      const { sha256 } = await h.store.putBody(body);
      const url = await h.store.presignDownload(sha256, 'report-v1.ipynb', 60);
      expect(url.method).toBe('GET');
      expect(Date.parse(url.expiresAt)).toBeGreaterThan(Date.now());
      if (!h.download) return;
      const got = await h.download(url.url);
      expect(Buffer.from(got.bytes).equals(Buffer.from(body))).toBe(true);
      expect(got.disposition).toContain('report-v1.ipynb');
    });
  });
