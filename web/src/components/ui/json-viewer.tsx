/** JSON, pretty-printed and collapsible: objects and arrays fold with <details>. */
import type { ReactNode } from 'react';

function Value({ value, name, depth }: { value: unknown; name?: string; depth: number }): ReactNode {
  const label = name !== undefined ? <span className="json__key">{JSON.stringify(name)}: </span> : null;
  if (value !== null && typeof value === 'object') {
    const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
    const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
    if (entries.length === 0) {
      return (
        <div className="json__line">
          {label}
          <span className="json__punct">{open + close}</span>
        </div>
      );
    }
    return (
      <details className="json__node" open={depth < 2}>
        <summary>
          {label}
          <span className="json__punct">{open}</span>
          <span className="json__count"> {entries.length} {Array.isArray(value) ? 'items' : 'keys'}</span>
        </summary>
        <div className="json__children">
          {entries.map(([key, child]) => (
            <Value key={key} value={child} {...(Array.isArray(value) ? {} : { name: key })} depth={depth + 1} />
          ))}
        </div>
        <span className="json__punct">{close}</span>
      </details>
    );
  }
  const kind = value === null ? 'null' : typeof value;
  return (
    <div className="json__line">
      {label}
      <span className={`json__${kind}`}>{JSON.stringify(value)}</span>
    </div>
  );
}

export function JsonViewer({ value, label }: { value: unknown; label: string }) {
  return (
    <div className="json" role="group" aria-label={label}>
      <Value value={value} depth={0} />
    </div>
  );
}
