import { endServer, type EndServerDeps } from './end-server.ts';

/**
 * Local mode at start-up: servers recorded PENDING, RUNNING or STOPPING had their processes (and
 * launch workflows) end with the platform's last life, so each is ended with the reason. They are
 * all in the cull index, so this is a Query, not a Scan.
 */
export const abandonRunningServers = async (deps: EndServerDeps, reason: string): Promise<number> => {
  let ended = 0;
  let after: string | undefined;
  do {
    const page = await deps.servers.listCullCandidates('9999-12-31T23:59:59.999Z', { after, limit: 100 });
    for (const s of page.items)
      if ((await endServer(deps, s, { by: 'platform', reason, final: 'STOPPED' })).claimed) ended += 1;
    after = page.next;
  } while (after);
  return ended;
};
