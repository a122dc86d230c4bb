import { useCallback, useEffect, useRef, useState } from 'react';
import type { Server, SparkSession } from '../api-client.ts';
import { useApi } from '../session-context.tsx';
import { useAsync, useInterval } from '../use-async.ts';
import { forgetServerToken, jupyterLabUrl, keepServerToken, serverToken } from '../server-tokens.ts';
import { EmptyState, ErrorAlert, Loading } from '../components/states.tsx';
import { LaunchForm } from '../components/launch-form.tsx';
import { ServerTable } from '../components/server-table.tsx';
import { SpawnProgress, useSpawnProgress } from '../components/spawn-progress.tsx';

// A person runs a handful of Spark sessions at once; more than this shows the first ones.
const SPARK_LIMIT = 50;

const busy = (servers: Server[] | undefined) =>
  servers?.some((s) => s.status === 'PENDING' || s.status === 'STOPPING') ?? false;

/**
 * `/`: your servers with state, pool, age, idle time and price, and the Spark sessions their notebooks started; launch
 * one and watch it start; open and stop them; start a stopped one again (its home kept) or delete it.
 */
export const HomePage = () => {
  const api = useApi();
  const servers = useAsync(() => api.listServers().then((r) => r.items), [api]);
  const profiles = useAsync(() => api.listProfiles().then((r) => r.items), [api]);
  const roles = useAsync(() => api.listRoles().then((r) => r.items), [api]);
  const [launching, setLaunching] = useState<string | null>(null);
  // The launch whose panel was dismissed: a list refresh that still says PENDING must not bring it back.
  const [dismissed, setDismissed] = useState<string | null>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const [attempt, setAttempt] = useState(0);
  const [now, setNow] = useState(() => Date.now());
  const progress = useSpawnProgress(launching, attempt);
  // Spark sessions live on running servers: asked for only when one runs, again when that set changes.
  const running = servers.data?.filter((s) => s.status === 'RUNNING').map((s) => s.name) ?? [];
  const runningKey = running.join(' ');
  const spark = useAsync(
    (signal) =>
      runningKey
        ? api.listSparkSessions({ status: 'ACTIVE', limit: SPARK_LIMIT }, signal).then((r) => r.items)
        : Promise.resolve([]),
    [api, runningKey],
  );
  // Sessions stopped from this page stay in their server's row, with their cost so far, until the page is left.
  const [stoppedSpark, setStoppedSpark] = useState<SparkSession[]>([]);

  // Ages and idle times tick; the list refreshes fast while something is starting or stopping.
  useInterval(() => setNow(Date.now()), 30_000);
  // Counted from the last answer (a reload aborts the one in flight), so a slow API is not asked again and again.
  useInterval(() => servers.reload(true), servers.loading ? null : busy(servers.data) ? 5_000 : 30_000);
  // Notebooks start Spark without the portal knowing: look again now and then while a server runs.
  useInterval(() => spark.reload(true), spark.loading || !runningKey ? null : 30_000);
  const { reload } = servers;
  useEffect(() => {
    if (progress.done) reload(true);
  }, [progress.done, reload]);

  // A launch still starting when the page (re)loads gets its progress shown too.
  const pending = servers.data?.find((s) => s.status === 'PENDING')?.name ?? null;
  useEffect(() => {
    if (pending && !launching && pending !== dismissed) setLaunching(pending);
  }, [pending, launching, dismissed]);

  const launch = useCallback(
    async (name: string, profile: string, role: string | null) => {
      const { server, token } = await api.launchServer({ name, profile, ...(role ? { role } : {}) });
      keepServerToken(sessionStorage, name, token);
      servers.setData((current) => [server, ...(current ?? []).filter((s) => s.name !== name)]);
      setDismissed(null);
      setLaunching(name);
      setAttempt((a) => a + 1);
    },
    [api, servers],
  );
  const actions = {
    stop: async (name: string) => {
      const stopped = await api.stopServer(name);
      forgetServerToken(sessionStorage, name);
      if (launching === name) setLaunching(null);
      servers.setData((current) => (current ?? []).map((s) => (s.name === name ? stopped : s)));
    },
    startAgain: (s: Server) => launch(s.name, s.profile, s.role),
    remove: async (name: string) => {
      await api.deleteServer(name);
      forgetServerToken(sessionStorage, name);
      if (launching === name) setLaunching(null);
      servers.setData((current) => (current ?? []).filter((s) => s.name !== name));
    },
    setRole: async (name: string, role: string | null) => {
      const changed = await api.setServerRole(name, { role });
      servers.setData((current) => (current ?? []).map((s) => (s.name === name ? changed : s)));
    },
    stopSpark: async (id: string) => {
      const stopped = await api.stopSparkSession(id);
      setStoppedSpark((current) => [...current.filter((x) => x.id !== id), stopped]);
      spark.setData((current) => (current ?? []).filter((x) => x.id !== id));
    },
    keepAlive: async (name: string) => {
      const kept = await api.keepServerAlive(name);
      servers.setData((current) => (current ?? []).map((s) => (s.name === name ? kept : s)));
    },
  };

  // With the panel gone the row shows its own Open link again: one "Open <name>" on screen at a time.
  const dismiss = () => {
    setDismissed(launching);
    setLaunching(null);
    // The Dismiss button is gone: focus goes to the page's heading, not to the document's start.
    headingRef.current?.focus();
  };
  const launched = launching ? servers.data?.find((s) => s.name === launching) : undefined;
  const launchedToken = launching ? serverToken(sessionStorage, launching) : null;
  return (
    <>
      <div className="page-header">
        <h1 ref={headingRef} tabIndex={-1}>
          Your servers
        </h1>
      </div>
      {servers.error && !servers.data ? (
        <ErrorAlert error={servers.error} title="Your servers could not be loaded" onRetry={() => servers.reload()} />
      ) : !servers.data ? (
        <Loading label="Loading…" />
      ) : servers.data.length === 0 ? (
        <EmptyState>
          <p>No servers yet</p>
          <p className="small">Launch one below: pick a profile, and it starts in a minute or two.</p>
        </EmptyState>
      ) : (
        <ServerTable
          servers={servers.data}
          profiles={profiles.data}
          roles={roles.data}
          tokenOf={(name) => serverToken(sessionStorage, name)}
          sparkOf={(name) => [
            ...(spark.data ?? []).filter((x) => x.server === name),
            ...stoppedSpark.filter((x) => x.server === name && !spark.data?.some((y) => y.id === x.id)),
          ]}
          hideOpenFor={progress.ready ? launching : null}
          now={now}
          actions={actions}
        />
      )}
      {spark.error && runningKey ? (
        <ErrorAlert
          error={spark.error}
          size="inline"
          title="Spark sessions could not be loaded"
          onRetry={() => spark.reload()}
        />
      ) : null}
      {servers.error && servers.data ? (
        <ErrorAlert error={servers.error} size="inline" title="Refreshing failed" onRetry={() => servers.reload()} />
      ) : null}
      {launching ? (
        <SpawnProgress
          name={launching}
          events={progress.events}
          error={progress.error}
          onRetry={() => setAttempt((a) => a + 1)}
          onDismiss={progress.ready || progress.failed ? dismiss : undefined}
        >
          {progress.ready && launched?.url && launchedToken ? (
            <p>
              <a className="button" href={jupyterLabUrl(launched.url, launchedToken)} target="_blank" rel="noopener">
                Open {launching}
              </a>{' '}
              <span className="muted small">(opens JupyterLab in a new tab)</span>
            </p>
          ) : progress.ready ? (
            <Loading size="inline" label="Ready; fetching its address…" />
          ) : progress.failed ? (
            <p className="alert-inline" role="alert">
              {launching} did not start: {progress.events.at(-1)?.message}
            </p>
          ) : null}
        </SpawnProgress>
      ) : null}
      <LaunchForm
        profiles={profiles.data}
        profilesError={profiles.error}
        onRetryProfiles={() => profiles.reload()}
        roles={roles.data}
        onLaunch={launch}
      />
    </>
  );
};
