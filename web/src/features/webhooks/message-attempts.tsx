/**
 * Every HTTP try to deliver one message: endpoint, status, timing, error; the request it sent
 * (signed headers and body) and the response it got; resending to that endpoint.
 */
import { Link } from '@tanstack/react-router';
import { useMessageAttempts, type Attempt } from '../../api/hooks/webhooks';
import { useResend } from '../../api/hooks/webhooks-out';
import { Can } from '../../components/can';
import { QueryView } from '../../components/page';
import { Badge } from '../../components/ui/badge';
import { Button } from '../../components/ui/button';
import { RelativeTime } from '../../components/ui/relative-time';
import { useToast } from '../../components/ui/toast';
import { AttemptRequest, BodyView, HeaderList } from './attempt-request';
import '../../styles/webhooks.css';

function Resend({ attempt }: { attempt: Attempt }) {
  const resend = useResend();
  const toast = useToast();
  return (
    <Button
      size="sm"
      busy={resend.isPending}
      onClick={() =>
        resend.mutate(
          { messageId: attempt.messageId, endpointId: attempt.endpointId },
          { onSuccess: () => toast.success('Message queued again', `Same webhook-id, fresh retry schedule, to ${attempt.endpointId}.`), onError: (error) => toast.problem('Could not resend', error) },
        )
      }
    >
      Resend
    </Button>
  );
}

function AttemptItem({ attempt, last }: { attempt: Attempt; last: boolean }) {
  return (
    <li className="attempt">
      <div className="attempt__summary">
        {attempt.succeeded ? <Badge tone="success">delivered</Badge> : <Badge tone="danger">failed</Badge>}
        <span className="mono">{attempt.statusCode ?? attempt.errorClass ?? '—'}</span>
        <span className="muted">
          attempt {attempt.attempt} ({attempt.trigger}) · {attempt.durationMs} ms · <RelativeTime value={attempt.startedAt} />
        </span>
        <Link to="/endpoints/$endpointId" params={{ endpointId: attempt.endpointId }} className="mono">
          {attempt.endpointId}
        </Link>
      </div>
      {attempt.error && <p className="attempt__error">{attempt.error}</p>}
      {attempt.nextAttemptAt && (
        <p className="muted">
          Next try <RelativeTime value={attempt.nextAttemptAt} />
        </p>
      )}
      <AttemptRequest messageId={attempt.messageId} attemptId={attempt.id} />
      <details>
        <summary>Response</summary>
        {attempt.statusCode === null ? (
          <p className="muted">No answer: {attempt.error ?? attempt.errorClass ?? 'the request did not complete'}.</p>
        ) : (
          <div className="request-view" role="group" aria-label={`Response of attempt ${attempt.id}`}>
            <p className="request-view__line">
              HTTP {attempt.statusCode} after {attempt.durationMs} ms
            </p>
            {attempt.responseHeaders && <HeaderList headers={attempt.responseHeaders} label="Response headers" />}
            {attempt.responseBody ? <BodyView body={attempt.responseBody} label="Response body" /> : <p className="muted">Empty body.</p>}
          </div>
        )}
      </details>
      {last && (
        <Can scope="endpoints:write">
          <div className="item-actions">
            <Resend attempt={attempt} />
          </div>
        </Can>
      )}
    </li>
  );
}

export function MessageAttempts({ messageId, open }: { messageId: string; open: boolean }) {
  const attempts = useMessageAttempts(messageId, open);
  if (!open) return null;
  return (
    <QueryView query={attempts} label="Loading attempts">
      {(page) => {
        // Resend is offered once per endpoint, on its latest attempt.
        const lastOf = new Map(page.data.map((a) => [a.endpointId, a.id]));
        return page.data.length === 0 ? (
          <p className="muted">No attempt yet: no endpoint subscribes to this event, or its delivery is still queued.</p>
        ) : (
          <ul className="attempt-list" aria-label={`Attempts of message ${messageId}`}>
            {page.data.map((attempt) => (
              <AttemptItem key={attempt.id} attempt={attempt} last={lastOf.get(attempt.endpointId) === attempt.id} />
            ))}
          </ul>
        );
      }}
    </QueryView>
  );
}
