import type { Cull, SparkUsage, UnusedVolumes, Usage } from '../api-client.ts';
import { formatDateTime, formatHourlyPrice, formatMoney, formatStatus } from '../format.ts';
import { useApi, useSession } from '../session-context.tsx';
import { useAsync } from '../use-async.ts';
import { useCursorList } from '../use-cursor-list.ts';
import { DataTable } from '../components/data-table.tsx';
import { EmptyState, ErrorAlert, isNotAllowed, Loading } from '../components/states.tsx';

const REASONS: Record<Cull['reason'], string> = {
  idle: 'Idle past its timeout',
  'max-age': 'Reached its maximum age',
  'no-heartbeat': 'Stopped reporting (no heartbeat)',
  'spark-max-age': 'A Spark session reached its maximum age (server kept)',
};

const NotAllowed = () => (
  <EmptyState size="page">
    <p>Not allowed: the admin pages are for platform admins.</p>
    <p className="small">Ask an admin if you need usage figures.</p>
  </EmptyState>
);

/**
 * `/admin` (admins only): usage by pool, active servers, Spark cost by team, unused volumes and their cost, recent
 * culls and why.
 */
export const AdminPage = () => {
  const { admin } = useSession();
  return (
    <>
      <h1>Admin</h1>
      {admin ? <AdminData /> : <NotAllowed />}
    </>
  );
};

const AdminData = () => {
  const api = useApi();
  const usage = useAsync(() => api.adminUsage(), [api]);
  if (isNotAllowed(usage.error)) return <NotAllowed />;
  return (
    <>
      <h2 id="usage-heading">Usage</h2>
      {usage.error ? (
        <ErrorAlert error={usage.error} title="Usage could not be loaded" onRetry={() => usage.reload()} />
      ) : !usage.data ? (
        <div className="usage-reserve">
          <Loading />
        </div>
      ) : (
        <UsageTables usage={usage.data} />
      )}
      <h2 id="volumes-heading">Unused volumes</h2>
      <UnusedVolumesSection />
      <h2 id="culls-heading">Recent culls</h2>
      <Culls />
    </>
  );
};

const UsageTables = ({ usage }: { usage: Usage }) => {
  const runs = Object.entries(usage.runs.byStatus);
  return (
    <>
      <p className="muted small">
        As of {formatDateTime(usage.generatedAt)}: {formatMoney(usage.hourlyCost)} an hour across{' '}
        {usage.activeServers.length} active servers.
      </p>
      <DataTable
        name="Usage by pool"
        columns={['Pool', { label: 'Active servers', num: true }, { label: 'Hourly cost', num: true }]}
        rows={usage.pools}
        empty="No servers running in any pool"
        row={(p) => (
          <tr key={p.pool}>
            <th scope="row">{p.pool}</th>
            <td className="num">{p.activeServers}</td>
            <td className="num">{formatHourlyPrice(p.hourlyCost)}</td>
          </tr>
        )}
      />
      <p className="small">
        Runs since {formatDateTime(usage.runs.since)}:{' '}
        {runs.length ? runs.map(([s, n]) => `${s} ${n}`).join(', ') : 'none'}.
      </p>
      <h2>Active servers</h2>
      <DataTable
        name="Active servers"
        hideName
        columns={['Owner', 'Server', 'Profile', 'Status', 'Started', 'Last activity', { label: 'Price', num: true }]}
        rows={usage.activeServers}
        empty="No active servers"
        row={(s) => (
          <tr key={`${s.owner}/${s.name}`}>
            <td>{s.owner}</td>
            <th scope="row">{s.name}</th>
            <td>{s.profile}</td>
            <td>
              <span className={`badge badge-${s.status}`}>{formatStatus(s.status)}</span>
            </td>
            <td>{formatDateTime(s.startedAt ?? s.createdAt)}</td>
            <td>{formatDateTime(s.lastActivity)}</td>
            <td className="num">{formatHourlyPrice(s.hourlyPrice)}</td>
          </tr>
        )}
      />
      <h2>Spark cost by team</h2>
      <SparkCostByTeam spark={usage.spark} />
    </>
  );
};

const SparkCostByTeam = ({ spark }: { spark: SparkUsage }) => (
  <>
    <p className="muted small">
      {spark.active} Spark {spark.active === 1 ? 'session' : 'sessions'} active now. Sessions started since{' '}
      {formatDateTime(spark.since)} and every active one, by the team they are counted against; a cost so far is at most
      the session's maximum hourly cost for the hours it ran.
    </p>
    <DataTable
      name="Spark cost by team"
      hideName
      columns={[
        'Team',
        { label: 'Sessions', num: true },
        { label: 'Active', num: true },
        { label: 'Cost so far', num: true },
        { label: 'Active, per hour at most', num: true },
      ]}
      rows={spark.byTeam}
      empty="No Spark sessions in the last day"
      row={(t) => (
        <tr key={t.team}>
          <th scope="row">{t.team}</th>
          <td className="num">{t.sessions}</td>
          <td className="num">{t.active}</td>
          <td className="num">{formatMoney(t.costSoFarUsd)}</td>
          <td className="num">{formatHourlyPrice(t.activeMaxHourlyUsd)}</td>
        </tr>
      )}
    />
  </>
);

const UnusedVolumesSection = () => {
  const api = useApi();
  const volumes = useAsync(() => api.listUnusedVolumes(), [api]);
  if (volumes.error && isNotAllowed(volumes.error)) return null;
  if (volumes.error)
    return <ErrorAlert error={volumes.error} title="Volumes could not be loaded" onRetry={() => volumes.reload()} />;
  if (!volumes.data) return <Loading />;
  return <UnusedVolumesTable volumes={volumes.data} />;
};

const UnusedVolumesTable = ({ volumes: v }: { volumes: UnusedVolumes }) => (
  <>
    <p className="muted small">
      Homes of servers stopped and unused for {v.unusedDays} days or more, and volumes no server names: together{' '}
      {formatMoney(v.monthlyCost)} a month at {formatMoney(v.pricePerGiBMonth)} per GiB-month. Nothing here is deleted
      automatically: the owner (or an admin) deletes a server from its row on the servers page.
    </p>
    <DataTable
      name="Unused volumes"
      hideName
      columns={[
        'Owner',
        'Server',
        'Status',
        { label: 'Size', num: true },
        { label: 'Monthly cost', num: true },
        'Last used',
        'Where',
      ]}
      rows={v.items}
      empty={`No volume has been unused for ${v.unusedDays} days`}
      row={(i) => (
        <tr key={i.serverId}>
          <td>{i.owner ?? '—'}</td>
          <th scope="row">{i.name ?? i.serverId}</th>
          <td>
            {i.status ? (
              <span className={`badge badge-${i.status}`}>{formatStatus(i.status)}</span>
            ) : (
              'no server record'
            )}
          </td>
          <td className="num">{i.size}</td>
          <td className="num">{formatMoney(i.monthlyCost)}</td>
          <td>
            {formatDateTime(i.lastUsed)}
            {i.unusedDays !== null ? <div className="small muted">{i.unusedDays} days ago</div> : null}
          </td>
          <td className="small">{i.location}</td>
        </tr>
      )}
    />
  </>
);

const Culls = () => {
  const api = useApi();
  const log = useCursorList((cursor) => api.listCulls({ cursor, limit: 25 }), [api]);
  const { page } = log;
  if (page.error && !isNotAllowed(page.error))
    return <ErrorAlert error={page.error} title="The cull log could not be loaded" onRetry={() => page.reload()} />;
  if (page.error) return null;
  if (log.empty) return <Loading />;
  const culls = log.items;
  return (
    <>
      <DataTable
        name="Recent culls"
        hideName
        columns={['When', 'Owner', 'Server', 'Profile', 'Why', 'Last activity', { label: 'Price', num: true }]}
        rows={culls}
        empty="The culler has stopped nothing yet"
        row={(c) => (
          <tr key={c.id}>
            <td>{formatDateTime(c.at)}</td>
            <td>{c.owner}</td>
            <th scope="row">{c.name}</th>
            <td>{c.profile}</td>
            <td>
              {REASONS[c.reason] ?? c.reason}
              {c.sparkApplications.length ? (
                <div className="small muted">Also stopped Spark: {c.sparkApplications.join(', ')}</div>
              ) : null}
              {c.sparkSessions?.length ? (
                <div className="small muted">
                  Spark {c.sparkSessions.length === 1 ? 'session' : 'sessions'} stopped:{' '}
                  {c.sparkSessions
                    .map((x) => `${x.appName} (${x.id}, at most ${formatMoney(x.costSoFarUsd)})`)
                    .join(', ')}
                </div>
              ) : null}
            </td>
            <td>{formatDateTime(c.lastActivity)}</td>
            <td className="num">{formatHourlyPrice(c.hourlyPrice)}</td>
          </tr>
        )}
      />
      {page.data?.nextCursor ? (
        <div className="pager">
          <button type="button" className="secondary" disabled={page.loading} onClick={log.more}>
            {page.loading ? 'Loading older culls…' : 'Show older culls'}
          </button>
        </div>
      ) : null}
    </>
  );
};
