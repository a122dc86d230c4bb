import { MemoryBodyStore } from '../../src/adapters/memory/memory-body-store.ts';
import { bodyStoreContract } from './body-store.case.ts';

bodyStoreContract('memory', async () => {
  const store = new MemoryBodyStore();
  return {
    store,
    upload: async (nb, up, bytes) => store.simulateUpload(nb, up, bytes),
    replaceDuringRead: (nb, up, bytes) => {
      store.betweenCheckAndRead = async () => {
        store.betweenCheckAndRead = undefined;
        store.simulateUpload(nb, up, bytes);
      };
    },
    tamper: async (sha, bytes) => void store.bodies.set(sha, bytes),
  };
});
