/**
 * The connector's `uiEmbeds` on the connection page: each widget its manifest declares for the
 * dashboard or a connection, as a card with what it is about — the model's records when its
 * title names a synced model, the metric its title names, and always the connection's status
 * and last sync (what the embedded status card shows an end customer).
 */
import { Link } from '@tanstack/react-router';
import { useConnector } from '../../api/hooks/catalog';
import { useDailyMetrics, type ConnectionMetrics } from '../../api/hooks/connection-metrics';
import { useConnectionSyncs, type Connection } from '../../api/hooks/connections';
import { Section } from '../../components/page';
import { Badge, StatusBadge } from '../../components/ui/badge';
import { RelativeTime } from '../../components/ui/relative-time';

type Embed = { surface: string; placement: string; title?: string };
const DAYS = 30;
const number = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });
const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));
/** A value in its unit: money as money ("$24,770.70"), anything else with its unit after it. */
function formatValue(value: number, unit: string | null): string {
  if (unit && CURRENCIES.has(unit.toUpperCase())) return new Intl.NumberFormat(undefined, { style: 'currency', currency: unit.toUpperCase() }).format(value);
  return `${number.format(value)}${unit ? ` ${unit}` : ''}`;
}

const words = (text: string) => text.toLowerCase();
/** The synced model a widget's title names ("Users" → users, "Slack channels" → channels). */
const modelOf = (title: string, models: string[]) => models.find((m) => words(title).split(/\s+/).includes(words(m)));
/** The metric a widget's title names, by name or id. */
const metricOf = (title: string, metrics: ConnectionMetrics['metrics']) =>
  metrics.find((m) => words(m.name) === words(title) || words(title).includes(words(m.name)) || words(title).split(/\s+/).includes(words(m.id)));

function MetricFigure({ metric, data }: { metric: ConnectionMetrics['metrics'][number]; data: ConnectionMetrics['data'] }) {
  const points = data.filter((p) => p.metricId === metric.id);
  if (points.length === 0) return <p className="muted">No {metric.name.toLowerCase()} collected in the last {DAYS} days: the metrics sync collects them.</p>;
  const latest = points.reduce((a, b) => (a.time > b.time ? a : b));
  const total = points.reduce((sum, p) => sum + p.value, 0);
  return (
    <dl className="embed-card__figures">
      <div>
        <dt>{metric.aggregation === 'sum' ? `Last ${DAYS} days` : 'Latest'}</dt>
        <dd>{formatValue(metric.aggregation === 'sum' ? total : latest.value, metric.unit)}</dd>
      </div>
      <div>
        <dt>On the last day</dt>
        <dd>{formatValue(latest.value, metric.unit)}</dd>
      </div>
    </dl>
  );
}

function EmbedCard({ embed, connection, name, models, metrics }: { embed: Embed; connection: Connection; name: string; models: string[]; metrics: ConnectionMetrics | undefined }) {
  const title = embed.title ?? name;
  const model = modelOf(title, models);
  const metric = metrics && !model ? metricOf(title, metrics.metrics) : undefined;
  return (
    <article className="embed-card" aria-label={`${title} widget`}>
      <header className="embed-card__header">
        <h3>{title}</h3>
        <Badge>{`${embed.placement} · ${embed.surface}`}</Badge>
      </header>
      {model && (
        <p>
          <Link to="/records" search={{ connectionId: connection.id, model }}>
            Browse the {model} records
          </Link>
        </p>
      )}
      {metric && metrics && <MetricFigure metric={metric} data={metrics.data} />}
      <p className="embed-card__status">
        <StatusBadge status={connection.status} /> <span className="muted">last sync</span> <RelativeTime value={connection.lastSyncAt} empty="never" />
      </p>
    </article>
  );
}

export function UiEmbeds({ connection }: { connection: Connection }) {
  const connector = useConnector(connection.connectorKey);
  const syncs = useConnectionSyncs(connection.id);
  const embeds = ((connector.data?.uiEmbeds ?? []) as Embed[]).filter((e) => e.surface !== 'connect');
  const metrics = useDailyMetrics(connection.id, DAYS, embeds.length > 0 && Boolean(syncs.data?.metrics));
  if (!connector.data || embeds.length === 0) return null;
  const models = (syncs.data?.models ?? []).map((m) => m.model);
  return (
    <Section title="Widgets">
      <p className="muted section__note">The widgets {connector.data.name} declares for this connection; a product embeds the same for its customer with an embed token.</p>
      <div className="embed-grid">
        {embeds.map((embed, index) => (
          <EmbedCard key={index} embed={embed} connection={connection} name={connector.data.name} models={models} metrics={metrics.data} />
        ))}
      </div>
    </Section>
  );
}
