import { describe, expect, it } from 'vitest';
import { firstPageFiles, type SizedChunk } from './build-size-plugin.ts';

const chunk = (fileName: string, imports: string[], isEntry = false): SizedChunk => ({
  type: 'chunk',
  fileName,
  code: '',
  isEntry,
  imports,
});

describe('firstPageFiles', () => {
  it('counts the entry and its static imports, transitively, but not lazy chunks or assets', () => {
    // Prepare
    const bundle = {
      'index.js': chunk('index.js', ['react.js', 'runtime.js'], true),
      'react.js': chunk('react.js', ['runtime.js']),
      'runtime.js': chunk('runtime.js', []),
      'admin-page.js': chunk('admin-page.js', ['react.js']),
      'index.css': { type: 'asset' as const },
    };
    // Act
    const files = firstPageFiles(bundle);
    // Assess
    expect(files.sort()).toEqual(['index.js', 'react.js', 'runtime.js']);
  });
});
