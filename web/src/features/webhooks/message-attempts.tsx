/** Every HTTP try to deliver one message: endpoint, status, timing, error, response. */
import { useMessageAttempts, type Attempt } from '../../api/hooks/webhooks';
import { QueryView } from '../../components/page';
import { Badge } from '../../components/ui/badge';
import { JsonViewer } from '../../components/ui/json-viewer';
import { RelativeTime } from '../../components/ui/relative-time';

function AttemptItem({ attempt }: { attempt: Attempt }) {
  return (
    <li className="attempt">
      <div className="attempt__summary">
        {attempt.succeeded ? <Badge tone="success">delivered</Badge> : <Badge tone="danger">failed</Badge>}
        <span className="mono">{attempt.statusCode ?? attempt.errorClass ?? '—'}</span>
        <span className="muted">
          attempt {attempt.attempt} · {attempt.durationMs} ms · <RelativeTime value={attempt.startedAt} />
        </span>
        <span className="muted mono">{attempt.endpointId}</span>
      </div>
      {attempt.error && <p className="attempt__error">{attempt.error}</p>}
      {attempt.nextAttemptAt && (
        <p className="muted">
          Next try <RelativeTime value={attempt.nextAttemptAt} />
        </p>
      )}
      {(attempt.responseHeaders || attempt.responseBody) && (
        <details>
          <summary>Response</summary>
          {attempt.responseHeaders && <JsonViewer value={attempt.responseHeaders} label={`Response headers of attempt ${attempt.id}`} />}
          {attempt.responseBody && <pre className="attempt__body">{attempt.responseBody}</pre>}
        </details>
      )}
    </li>
  );
}

export function MessageAttempts({ messageId, open }: { messageId: string; open: boolean }) {
  const attempts = useMessageAttempts(messageId, open);
  if (!open) return null;
  return (
    <QueryView query={attempts} label="Loading attempts">
      {(page) =>
        page.data.length === 0 ? (
          <p className="muted">No attempt yet: no endpoint subscribes to this event, or its delivery is still queued.</p>
        ) : (
          <ul className="attempt-list" aria-label={`Attempts of message ${messageId}`}>
            {page.data.map((attempt) => (
              <AttemptItem key={attempt.id} attempt={attempt} />
            ))}
          </ul>
        )
      }
    </QueryView>
  );
}
