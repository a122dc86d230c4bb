import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { notebookFileProblem, sha256Hex, titleFromFileName } from './notebook-upload.ts';

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
