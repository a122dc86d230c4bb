// A dynalite on a given port and data folder: what a supervisor would start in place of a killed one,
// so the platform's clients find the database again where they left it. Ends when its parent goes.
import dynalite from 'dynalite';

const [dir, port] = process.argv.slice(2);
const server = dynalite({ path: dir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
server.once('error', (err: NodeJS.ErrnoException) => {
  process.send?.({ error: err.code ?? err.message });
  process.exit(1);
});
server.listen(Number(port), '127.0.0.1', () => process.send?.({ port: Number(port) }));
process.on('disconnect', () => server.close(() => process.exit(0)));
