/**
 * One inbound event opened: how it was verified, what processing made of it, the request's
 * headers, and its payload as pretty JSON or raw text; reprocessing for roles allowed to.
 */
import { useState } from 'react';
import type { InboundEvent } from '../../api/hooks/inbound';
import { useInboundEvent, useReprocessEvent } from '../../api/hooks/sources';
import { Can } from '../../components/can';
import { Facts, QueryView } from '../../components/page';
import { Badge } from '../../components/ui/badge';
import { Button } from '../../components/ui/button';
import { CopyableId } from '../../components/ui/copyable-id';
import { JsonViewer } from '../../components/ui/json-viewer';
import { RelativeTime } from '../../components/ui/relative-time';
import { useToast } from '../../components/ui/toast';
import { HeaderList } from './attempt-request';
import '../../styles/webhooks.css';

/** Verification as the event's record tells it: rejected events carry the reason. */
export function Verification({ event }: { event: InboundEvent }) {
  if (event.status === 'rejected')
    return (
      <Badge tone="danger" title={event.rejectionReason ?? undefined}>
        failed
      </Badge>
    );
  return <Badge tone="success">passed</Badge>;
}

function Payload({ body, encoding, id }: { body: string; encoding: 'utf8' | 'base64'; id: string }) {
  const parsed = (() => {
    if (encoding !== 'utf8') return undefined;
    try {
      return { value: JSON.parse(body) as unknown };
    } catch {
      return undefined;
    }
  })();
  const [raw, setRaw] = useState(!parsed);
  return (
    <div>
      <div className="tab-row" role="group" aria-label="Payload view">
        <Button size="sm" variant="ghost" aria-pressed={!raw} disabled={!parsed} onClick={() => setRaw(false)}>
          Pretty JSON
        </Button>
        <Button size="sm" variant="ghost" aria-pressed={raw} onClick={() => setRaw(true)}>
          Raw
        </Button>
      </div>
      {raw || !parsed ? (
        <pre className="raw-body" aria-label={`Raw payload of ${id}`} tabIndex={0}>
          {body}
        </pre>
      ) : (
        <JsonViewer value={parsed.value} label={`Payload of ${id}`} />
      )}
      {encoding === 'base64' && <p className="field__help">Not UTF-8 text: shown base64-encoded.</p>}
    </div>
  );
}

function Reprocess({ event }: { event: InboundEvent }) {
  const reprocess = useReprocessEvent();
  const toast = useToast();
  return (
    <Button
      size="sm"
      busy={reprocess.isPending}
      onClick={() =>
        reprocess.mutate(event.id, {
          onSuccess: (e) => toast.success('Event reprocessed', `${e.id} is ${e.status}.`),
          onError: (error) => toast.problem('Could not reprocess', error),
        })
      }
    >
      Reprocess
    </Button>
  );
}

export function InboundEventDetail({ event, open }: { event: InboundEvent; open: boolean }) {
  const detail = useInboundEvent(event.id, open);
  if (!open) return null;
  const reprocessable = event.status === 'processed' || event.status === 'failed' || event.status === 'duplicate';
  return (
    <div className="message__body">
      <Facts
        items={[
          ['Event id', <CopyableId value={event.id} label="inbound event id" />],
          ['Verification', event.status === 'rejected' ? `failed: ${event.rejectionReason ?? 'no reason given'}` : 'passed'],
          ['Provider event id', event.providerEventId ? <span className="mono">{event.providerEventId}</span> : null],
          ['Connection', event.connectionId ? <span className="mono">{event.connectionId}</span> : null],
          ['Request', <span className="mono">{`${event.method} ${event.path}${event.query ? `?${event.query}` : ''}`}</span>],
          ['From', event.remoteIp],
          [
            'Processing',
            event.processedAt ? (
              <>
                {event.processingMs ?? '?'} ms, <RelativeTime value={event.processedAt} />
              </>
            ) : (
              `${event.attempts} attempt${event.attempts === 1 ? '' : 's'}`
            ),
          ],
          ['Duplicate of', event.duplicateOf ? <span className="mono">{event.duplicateOf}</span> : null],
        ]}
      />
      {event.lastError && (
        <div className="alert alert--danger">
          <strong>Processing failed</strong>
          <p>{event.lastError}</p>
        </div>
      )}
      {event.outcome && (
        <>
          <h3>Outcome</h3>
          <JsonViewer value={event.outcome} label={`Outcome of ${event.id}`} />
        </>
      )}
      <h3>Headers</h3>
      <HeaderList headers={event.headers as Record<string, string>} label={`Headers of ${event.id}`} />
      <h3>Payload ({event.bodySize} bytes)</h3>
      <QueryView query={detail} label="Loading the payload">
        {(d) => <Payload body={d.body} encoding={d.bodyEncoding} id={event.id} />}
      </QueryView>
      {reprocessable && (
        <Can scope="inbound:reprocess">
          <div className="item-actions">
            <Reprocess event={event} />
          </div>
        </Can>
      )}
    </div>
  );
}
