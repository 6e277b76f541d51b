/**
 * One alert in the list: its severity, title and state; opened, its message, what it is about,
 * its timeline (opened, notified where, acknowledged by whom, resolved) and the actions its
 * state allows — acknowledge, snooze, resolve — for roles that may.
 */
import { Link } from '@tanstack/react-router';
import { useId, useState } from 'react';
import { useAlert, useAlertAction, type Alert, type AlertAction } from '../../api/hooks/alerts';
import { Can } from '../../components/can';
import { Facts, QueryView } from '../../components/page';
import { Badge, type BadgeTone } from '../../components/ui/badge';
import { Button } from '../../components/ui/button';
import { JsonViewer } from '../../components/ui/json-viewer';
import { RelativeTime } from '../../components/ui/relative-time';
import { Table, TableHead } from '../../components/ui/table';
import { useToast } from '../../components/ui/toast';
import '../../styles/webhooks.css';

export const SEVERITY_TONES: Record<string, BadgeTone> = { critical: 'danger', warning: 'warning', info: 'info' };
export const STATUS_TONES: Record<string, BadgeTone> = { open: 'danger', acknowledged: 'warning', snoozed: 'neutral', resolved: 'success' };

const DONE: Record<AlertAction, string> = { acknowledge: 'Alert acknowledged', resolve: 'Alert resolved', snooze: 'Alert snoozed' };

function Subject({ alert }: { alert: Alert }) {
  if (!alert.subjectId) return null;
  if (alert.subjectType === 'connection') {
    return (
      <Link to="/connections/$connectionId" params={{ connectionId: alert.subjectId }} className="mono">
        {alert.subjectId}
      </Link>
    );
  }
  if (alert.subjectType === 'endpoint') {
    return (
      <Link to="/endpoints/$endpointId" params={{ endpointId: alert.subjectId }} className="mono">
        {alert.subjectId}
      </Link>
    );
  }
  return (
    <span className="mono">
      {alert.subjectType ? `${alert.subjectType} ` : ''}
      {alert.subjectId}
    </span>
  );
}

function Actions({ alert }: { alert: Alert }) {
  const act = useAlertAction();
  const toast = useToast();
  const [minutes, setMinutes] = useState('60');
  const snoozeId = useId();
  const run = (action: AlertAction) =>
    act.mutate(
      { id: alert.id, action, minutes: Number(minutes) },
      { onSuccess: (a) => toast.success(DONE[action], a.title), onError: (error) => toast.problem(`Could not ${action} the alert`, error) },
    );
  if (alert.status === 'resolved') return null;
  return (
    <div className="item-actions">
      {(alert.status === 'open' || alert.status === 'snoozed') && (
        <Button variant="primary" size="sm" busy={act.isPending && act.variables?.action === 'acknowledge'} onClick={() => run('acknowledge')}>
          Acknowledge
        </Button>
      )}
      <Button size="sm" busy={act.isPending && act.variables?.action === 'resolve'} onClick={() => run('resolve')}>
        Resolve
      </Button>
      <span className="snooze">
        <label htmlFor={snoozeId} className="visually-hidden">
          Snooze for
        </label>
        <select id={snoozeId} value={minutes} onChange={(e) => setMinutes(e.target.value)}>
          <option value="60">1 hour</option>
          <option value="240">4 hours</option>
          <option value="1440">1 day</option>
        </select>
        <Button size="sm" busy={act.isPending && act.variables?.action === 'snooze'} onClick={() => run('snooze')}>
          Snooze
        </Button>
      </span>
    </div>
  );
}

function Timeline({ id }: { id: string }) {
  const detail = useAlert(id, true);
  return (
    <QueryView query={detail} label="Loading the timeline">
      {(a) => (
        <>
          <h3>Timeline</h3>
          <ol className="timeline" aria-label={`Timeline of alert ${a.id}`}>
            {a.timeline.map((entry, i) => (
              <li key={i}>
                <strong>{entry.kind}</strong> <RelativeTime value={entry.at} />
                {entry.actor && <span className="muted"> by {entry.actor}</span>}
                {Object.keys(entry.details).length > 0 && (
                  <span className="muted cell-sub">
                    {Object.entries(entry.details)
                      .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
                      .join(' · ')}
                  </span>
                )}
              </li>
            ))}
          </ol>
          {a.notifications.length > 0 && (
            <Table caption={`Channels notified of ${a.id}`} showCaption>
              <TableHead columns={['Channel', { label: 'Sent', numeric: true }, 'Last', 'Error']} />
              <tbody>
                {a.notifications.map((n) => (
                  <tr key={n.channelId}>
                    <td>
                      {n.channelName} <span className="muted">({n.channelType})</span>
                    </td>
                    <td className="num">{n.sent}</td>
                    <td>
                      {n.lastAction ?? '—'} <RelativeTime value={n.updatedAt} />
                    </td>
                    <td className="cell-wrap">{n.lastError ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </Table>
          )}
        </>
      )}
    </QueryView>
  );
}

export function AlertItem({ alert }: { alert: Alert }) {
  const [open, setOpen] = useState(false);
  return (
    <li className="message">
      <details onToggle={(e) => setOpen(e.currentTarget.open)}>
        <summary>
          <span className="cell-main">{alert.title}</span>
          <span className="badge-row">
            <Badge tone={SEVERITY_TONES[alert.severity] ?? 'neutral'}>{alert.severity}</Badge>
            <Badge tone={STATUS_TONES[alert.status] ?? 'neutral'}>{alert.status}</Badge>
            <RelativeTime value={alert.openedAt} />
          </span>
        </summary>
        {open && (
          <div className="message__body">
            <p>{alert.message}</p>
            <Facts
              items={[
                ['Rule', <span className="mono">{alert.rule}</span>],
                ['About', <Subject alert={alert} />],
                ['Opened', <RelativeTime value={alert.openedAt} />],
                [
                  'Acknowledged',
                  alert.acknowledgedAt ? (
                    <>
                      <RelativeTime value={alert.acknowledgedAt} />
                      {alert.acknowledgedBy ? ` by ${alert.acknowledgedBy}` : ''}
                    </>
                  ) : null,
                ],
                ['Snoozed until', alert.snoozedUntil ? <RelativeTime value={alert.snoozedUntil} /> : null],
                [
                  'Resolved',
                  alert.resolvedAt ? (
                    <>
                      <RelativeTime value={alert.resolvedAt} />
                      {alert.resolvedBy ? ` by ${alert.resolvedBy}` : ''}
                    </>
                  ) : null,
                ],
              ]}
            />
            {Object.keys(alert.details).length > 0 && <JsonViewer value={alert.details} label={`Details of alert ${alert.id}`} />}
            <Timeline id={alert.id} />
            <Can scope="alerts:write">
              <Actions alert={alert} />
            </Can>
          </div>
        )}
      </details>
    </li>
  );
}
