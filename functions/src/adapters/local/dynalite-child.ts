// Runs dynalite in its own process so the emulator and the API use both cores; the parent
// learns the port over IPC, and this process ends when the parent goes away.
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';

const dir = process.argv[2];
const server = dynalite({ path: dir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
server.listen(0, '127.0.0.1', () => {
  process.send?.({ port: (server.address() as AddressInfo).port });
});
const stop = () => server.close(() => process.exit(0));
process.on('disconnect', stop);
process.on('SIGTERM', stop);
process.on('SIGINT', () => undefined);
