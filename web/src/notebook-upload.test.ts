import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ApiError } from './api-client.ts';
import { notebookFileProblem, sha256Hex, titleFromFileName, uploadFailureText } from './notebook-upload.ts';

const FIXTURE = new URL('../../functions/test/fixtures/parameters-basic.ipynb', import.meta.url);

describe('notebookFileProblem', () => {
  it('accepts a notebook Jupyter saved', () => {
    // Prepare
    const text = readFileSync(FIXTURE, 'utf8');
    // Act
    const problem = notebookFileProblem('parameters-basic.ipynb', text);
    // Assess
    expect(problem).toBeNull();
  });

  it('says why a file is not a notebook before anything is uploaded', () => {
    // Prepare
    const files: Array<[string, string]> = [
      ['notes.txt', 'hello'],
      ['list.json', '[1, 2]'],
      ['data.json', '{"cells": []}'],
      ['old.ipynb', '{"nbformat": 3, "worksheets": []}'],
      ['odd.ipynb', '{"nbformat": 4, "cells": {}}'],
    ];
    // Act
    const problems = files.map(([name, text]) => notebookFileProblem(name, text));
    // Assess
    expect(problems).toEqual([
      'notes.txt is not a notebook: it is not JSON. Choose an .ipynb file saved by Jupyter.',
      'list.json is not a notebook: its JSON is not an object.',
      'data.json is not a notebook: it has no nbformat version.',
      'old.ipynb is an nbformat 3 notebook; open and save it in a current Jupyter to upgrade it to nbformat 4.',
      'odd.ipynb is not a notebook: it has no list of cells.',
    ]);
  });
});

describe('titleFromFileName', () => {
  it('drops the extension and turns underscores into spaces', () => {
    // Prepare
    // Act
    const titles = ['weekly_sales-report.ipynb', 'Q3  Report.IPYNB', '__x__.ipynb'].map(titleFromFileName);
    // Assess
    expect(titles).toEqual(['weekly sales-report', 'Q3 Report', 'x']);
  });
});

describe('sha256Hex', () => {
  it('names the bytes as the API checks them', async () => {
    // Prepare
    const bytes = readFileSync(FIXTURE);
    // Act
    const hex = await sha256Hex(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    // Assess
    expect(hex).toBe(createHash('sha256').update(bytes).digest('hex'));
  });
});

describe('uploadFailureText', () => {
  it('says what is wrong with a file the API refused as a notebook, and what to do, never to send it again', () => {
    // Prepare
    const refused = new ApiError(422, 'invalid_notebook', 'not a valid nbformat 4 notebook: …', 'r1', [
      { path: 'cells[0].metadata', message: 'must be an object' },
      { path: 'cells[0].source', message: 'must be a string or a list of strings' },
      { path: 'cells[0].outputs', message: 'must be a list of outputs' },
      { path: 'cells[0].execution_count', message: 'Invalid input: expected number, received undefined' },
    ]);
    // Act
    const text = uploadFailureText('sales.ipynb', refused);
    // Assess
    expect(text).toBe(
      'sales.ipynb is not a valid Jupyter notebook: cells[0].metadata must be an object; cells[0].source must be a ' +
        'string or a list of strings; cells[0].outputs must be a list of outputs (and 1 more). ' +
        'Open it in Jupyter and save it again, or choose another file.',
    );
    expect(text).not.toMatch(/empty notebook|press Upload/i);
  });

  it('invites sending again only when the file was not the problem, naming the button that sends it', () => {
    expect(uploadFailureText('a.ipynb', new TypeError('Failed to fetch'), 'Upload version')).toBe(
      'The upload failed: Failed to fetch. Press Upload version to try again.',
    );
    expect(uploadFailureText('a.ipynb', new ApiError(503, 'upstream', 'storage is unavailable.'))).toBe(
      'The upload failed: storage is unavailable. Press Upload to try again.',
    );
    expect(uploadFailureText('a.ipynb', new ApiError(413, 'payload_too_large', 'over 100 MB'))).toMatch(
      /^a\.ipynb is too large to keep: over 100 MB\. Clear large outputs/,
    );
  });
});
