/**
 * Alert rules as they apply in this environment (on or off, severity, thresholds, channels) and
 * the notification channels, each with its state and "Send test notification".
 */
import { Link } from '@tanstack/react-router';
import { useAlertRules, useChannels, useTestChannel, useUpdateRule, type AlertRule, type NotificationChannel } from '../../api/hooks/alerts';
import { useEnvironment } from '../../api/session';
import { Can } from '../../components/can';
import { EmptyState, PageHeader, QueryView, Section } from '../../components/page';
import { Badge } from '../../components/ui/badge';
import { Button } from '../../components/ui/button';
import { RelativeTime } from '../../components/ui/relative-time';
import { Table, TableHead } from '../../components/ui/table';
import { useToast } from '../../components/ui/toast';
import { SEVERITY_TONES } from './alert-item';
import '../../styles/webhooks.css';

const CHANNEL_TONES = { ok: 'success', failing: 'danger', untested: 'neutral' } as const;

function ToggleRule({ rule }: { rule: AlertRule }) {
  const update = useUpdateRule();
  const toast = useToast();
  return (
    <Button
      size="sm"
      busy={update.isPending}
      onClick={() =>
        update.mutate({ rule: rule.rule, enabled: !rule.enabled }, { onSuccess: (r) => toast.success(`${r.rule} ${r.enabled ? 'on' : 'off'}`), onError: (error) => toast.problem('Could not change the rule', error) })
      }
    >
      {rule.enabled ? 'Turn off' : 'Turn on'}
    </Button>
  );
}

function TestChannel({ channel }: { channel: NotificationChannel }) {
  const test = useTestChannel();
  const toast = useToast();
  return (
    <Button
      size="sm"
      busy={test.isPending}
      onClick={() =>
        test.mutate(channel.id, {
          onSuccess: (r) => (r.ok ? toast.success('Test notification sent', `${channel.name} accepted it.`) : toast.error(`${channel.name} refused the test`, r.error ?? undefined)),
          onError: (error) => toast.problem('Could not send the test notification', error),
        })
      }
    >
      Send test notification
    </Button>
  );
}

const params = (rule: AlertRule) =>
  Object.entries(rule.params)
    .map(([k, v]) => `${k} ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(', ');

export function RulesScreen() {
  const environment = useEnvironment();
  const rules = useAlertRules();
  const channels = useChannels({ limit: 100 });
  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/alerts">Alerts</Link> / <span aria-current="page">Rules and channels</span>
      </nav>
      <PageHeader title="Alert rules and channels" description={`When ${environment} raises an alert, and where it is said.`} />
      <Section title="Notification channels">
        <QueryView query={channels} label="Loading channels">
          {(page) =>
            page.data.length === 0 ? (
              <EmptyState title="No channel yet">
                Alerts show here only. Add Slack, Microsoft Teams, PagerDuty, Opsgenie or email with <code>POST /api/v1/notification-channels</code> or <code>patchbay channels</code>; endpoints subscribed to <code>alert.*</code> events hear of them too.
              </EmptyState>
            ) : (
              <Table caption="Notification channels">
                <TableHead columns={['Channel', 'State', 'Last success', 'Last error', { label: 'Actions', hidden: true }]} />
                <tbody>
                  {page.data.map((c) => (
                    <tr key={c.id}>
                      <td>
                        <span className="cell-main">{c.name}</span>
                        <span className="muted cell-sub">
                          {c.type}
                          {c.enabled ? '' : ' · off'}
                        </span>
                      </td>
                      <td>
                        <Badge tone={CHANNEL_TONES[c.status]}>{c.status}</Badge>
                      </td>
                      <td>
                        <RelativeTime value={c.lastSuccessAt} empty="never" />
                      </td>
                      <td className="cell-wrap">{c.lastError ? <>{c.lastError} <RelativeTime value={c.lastErrorAt} /></> : '—'}</td>
                      <td>
                        <Can scope="alerts:configure">
                          <TestChannel channel={c} />
                        </Can>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </Table>
            )
          }
        </QueryView>
      </Section>
      <Section title="Rules">
        <QueryView query={rules} label="Loading rules">
          {(page) => (
            <Table caption="Alert rules">
              <TableHead columns={['Rule', 'Severity', 'Thresholds', 'Channels', 'State', { label: 'Actions', hidden: true }]} />
              <tbody>
                {page.data.map((rule) => (
                  <tr key={rule.rule}>
                    <td>
                      <span className="cell-main mono">{rule.rule}</span>
                      <span className="muted cell-sub cell-wrap">{rule.description}</span>
                    </td>
                    <td>
                      <Badge tone={SEVERITY_TONES[rule.severity] ?? 'neutral'}>{rule.severity}</Badge>
                    </td>
                    <td className="cell-wrap mono">{params(rule) || '—'}</td>
                    <td className="cell-wrap">
                      {rule.channelIds === null ? 'all' : rule.channelIds.length ? rule.channelIds.join(', ') : 'none'}
                      <span className="muted cell-sub">
                        from {rule.minSeverity}, repeat every {rule.repeatMinutes} min{rule.quietHours ? `, quiet ${rule.quietHours.start}–${rule.quietHours.end}` : ''}
                      </span>
                    </td>
                    <td>{rule.enabled ? <Badge tone="success">on</Badge> : <Badge>off</Badge>}</td>
                    <td>
                      <Can scope="alerts:configure">
                        <ToggleRule rule={rule} />
                      </Can>
                    </td>
                  </tr>
                ))}
              </tbody>
            </Table>
          )}
        </QueryView>
      </Section>
    </>
  );
}
