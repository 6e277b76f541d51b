/** Small pieces the Connect UI's screens share: the header, an integration's icon, a message. */
import type { Integration, ThemeSpec } from './api.ts';

export function Header({ theme, title, onClose, closeLabel }: { theme: ThemeSpec | null; title: string; onClose?: (() => void) | undefined; closeLabel?: string }) {
  return (
    <header className="pc-header">
      {onClose ? (
        <button type="button" className="pc-button pc-button-quiet pc-close" onClick={onClose}>
          {closeLabel}
        </button>
      ) : null}
      {theme?.logo || theme?.productName ? (
        <div className="pc-brand">
          {theme.logo ? <img src={theme.logo} alt="" className="pc-logo" /> : null}
          {theme.productName ? <span className="pc-product">{theme.productName}</span> : null}
        </div>
      ) : null}
      <h1>{title}</h1>
    </header>
  );
}

/** Connector icons are SVG documents from the hub's own catalog, shown as data: images. */
export function IntegrationIcon({ integration }: { integration: Pick<Integration, 'icon' | 'name'> }) {
  return <img className="pc-icon" src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(integration.icon)}`} alt="" width={40} height={40} />;
}

export function Message({ tone, title, body }: { tone: 'danger' | 'info'; title: string; body: string }) {
  return (
    <section className={`pc-card pc-message pc-message-${tone}`} role={tone === 'danger' ? 'alert' : 'status'}>
      <h2>{title}</h2>
      {body ? <p>{body}</p> : null}
    </section>
  );
}
