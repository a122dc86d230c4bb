import { MemoryRenderCache } from '../../src/adapters/memory/memory-render-cache.ts';
import { renderCacheContract } from './render-cache.case.ts';

renderCacheContract('memory', async () => ({ cache: new MemoryRenderCache() }));
