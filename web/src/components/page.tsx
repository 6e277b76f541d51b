/** The parts every screen is made of: header, section, empty state, loading, problem. */
import type { ReactNode } from 'react';
import { ApiProblem } from '../api/client';

export function PageHeader({ title, description, actions, meta }: { title: ReactNode; description?: ReactNode; actions?: ReactNode; meta?: ReactNode }) {
  return (
    <header className="page-header">
      <div className="page-header__text">
        <h1>{title}</h1>
        {meta && <div className="page-header__meta">{meta}</div>}
        {description && <p className="page-header__description">{description}</p>}
      </div>
      {actions && <div className="page-header__actions">{actions}</div>}
    </header>
  );
}

export function Section({ title, actions, children, id }: { title: string; actions?: ReactNode; children: ReactNode; id?: string }) {
  const headingId = id ?? `section-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return (
    <section className="section" aria-labelledby={headingId}>
      <div className="section__header">
        <h2 id={headingId}>{title}</h2>
        {actions}
      </div>
      {children}
    </section>
  );
}

export function EmptyState({ title, children, action }: { title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <div className="empty-state">
      <p className="empty-state__title">{title}</p>
      {children && <div className="empty-state__text">{children}</div>}
      {action && <div className="empty-state__action">{action}</div>}
    </div>
  );
}

export function Loading({ label = 'Loading' }: { label?: string }) {
  return (
    <div className="loading" role="status">
      <span className="ui-spinner" aria-hidden="true" />
      {label}…
    </div>
  );
}

/** An error as the hub described it: the problem's title and detail. */
export function ProblemAlert({ error, action }: { error: unknown; action?: string }) {
  const title = error instanceof ApiProblem ? error.title : 'Something went wrong';
  const detail = error instanceof ApiProblem ? error.problem.detail : error instanceof Error ? error.message : String(error);
  return (
    <div className="alert alert--danger" role="alert">
      <strong>{action ? `${action}: ${title}` : title}</strong>
      {detail && <p>{detail}</p>}
    </div>
  );
}

/** Renders a query's states: loading, its problem, or its data. */
export function QueryView<T>({ query, children, label }: { query: { data: T | undefined; error: unknown; isPending: boolean }; children: (data: T) => ReactNode; label?: string }) {
  if (query.error) return <ProblemAlert error={query.error} />;
  if (query.isPending || query.data === undefined) return <Loading {...(label ? { label } : {})} />;
  return <>{children(query.data)}</>;
}

/** A definition list of facts about one object. */
export function Facts({ items }: { items: [string, ReactNode][] }) {
  return (
    <dl className="facts">
      {items.map(([term, value]) => (
        <div key={term} className="facts__item">
          <dt>{term}</dt>
          <dd>{value ?? <span className="muted">—</span>}</dd>
        </div>
      ))}
    </dl>
  );
}
