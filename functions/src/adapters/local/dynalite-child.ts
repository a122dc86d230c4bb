// Runs dynalite in its own process so the emulator and the API use both cores; the parent
// learns the port over IPC, and this process ends when the parent goes away.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';

const dir = process.argv[2];
const inner = dynalite({ path: dir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
const serve = inner.listeners('request')[0] as (req: unknown, res: unknown) => void;

// dynalite answers any browser's CORS preflight with '*'; the platform's SDK never sends an Origin.
const server = createServer((req, res) => {
  if (req.headers.origin) {
    res
      .writeHead(403, { 'content-type': 'application/json' })
      .end('{"message":"browsers may not call the local DynamoDB emulator"}');
    return;
  }
  serve(req, res);
});
server.listen(0, '127.0.0.1', () => {
  process.send?.({ port: (server.address() as AddressInfo).port });
});
const stop = () => server.close(() => inner.close(() => process.exit(0)));
process.on('disconnect', stop);
process.on('SIGTERM', stop);
process.on('SIGINT', () => undefined);
