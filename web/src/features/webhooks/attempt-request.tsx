/** The request an attempt sent — method, URL, headers with the signature, body — fetched when opened. */
import { useState } from 'react';
import { useAttemptRequest } from '../../api/hooks/webhooks-out';
import { QueryView } from '../../components/page';
import { JsonViewer } from '../../components/ui/json-viewer';
import '../../styles/webhooks.css';

/** Headers as a two-column list (names are case-insensitive, shown as sent). */
export function HeaderList({ headers, label }: { headers: Record<string, string>; label: string }) {
  return (
    <dl className="header-list" aria-label={label}>
      {Object.entries(headers).map(([name, value]) => (
        <div key={name}>
          <dt>{name}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** A body as pretty JSON when it parses, else as text. */
export function BodyView({ body, label }: { body: string | null; label: string }) {
  if (body === null) return <p className="muted">Not kept any more (retention pruned it).</p>;
  try {
    return <JsonViewer value={JSON.parse(body)} label={label} />;
  } catch {
    return <pre className="raw-body">{body}</pre>;
  }
}

export function AttemptRequest({ messageId, attemptId }: { messageId: string; attemptId: string }) {
  const [open, setOpen] = useState(false);
  const request = useAttemptRequest(messageId, attemptId, open);
  return (
    <details onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>Request</summary>
      {open && (
        <QueryView query={request} label="Loading the request">
          {(r) => (
            <div className="request-view" aria-label={`Request of attempt ${attemptId}`} role="group">
              <p className="request-view__line">
                {r.method} {r.url}
              </p>
              <HeaderList headers={r.headers} label="Request headers" />
              <BodyView body={r.body} label="Request body" />
              <p className="muted field__help">Rebuilt from the stored payload; the signature is recomputed with the keys that were valid at the attempt's time.</p>
            </div>
          )}
        </QueryView>
      )}
    </details>
  );
}
