/**
 * Getting missed events to an endpoint again: retry its deliveries that failed for good (dead
 * letters), or resend everything that failed since a time (after an outage on the receiving side).
 */
import { useId, useState, type FormEvent } from 'react';
import type { Endpoint } from '../../api/hooks/webhooks';
import { useDeadLetters, useRecover, useRetryDeadLetters } from '../../api/hooks/webhooks-out';
import { Section } from '../../components/page';
import { Button } from '../../components/ui/button';
import { useToast } from '../../components/ui/toast';
import '../../styles/webhooks.css';

/** `datetime-local` wants local time without zone: now minus a day, to the minute. */
function localInput(date: Date): string {
  const local = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}

export function EndpointRecovery({ endpoint }: { endpoint: Endpoint }) {
  const dead = useDeadLetters({ endpointId: endpoint.id, limit: 100 });
  const retry = useRetryDeadLetters();
  const recover = useRecover(endpoint.id);
  const toast = useToast();
  const [since, setSince] = useState(() => localInput(new Date(Date.now() - 86_400_000)));
  const sinceId = useId();
  const count = dead.data?.data.length;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    recover.mutate(new Date(since).toISOString(), {
      onSuccess: (r) =>
        toast.success(r.recovered ? `${r.recovered} message${r.recovered === 1 ? '' : 's'} queued again` : 'Nothing to recover', `Failed deliveries since ${new Date(since).toLocaleString()}.`),
      onError: (error) => toast.problem('Could not recover', error),
    });
  };
  return (
    <Section title="Recovery">
      <div className="recovery">
        <div className="recovery__part">
          <h3>Failed for good</h3>
          <p className="muted">
            {count === undefined ? 'Counting…' : count === 0 ? 'No delivery to this endpoint has failed for good.' : `${count}${dead.data?.nextCursor ? '+' : ''} deliveries exhausted their retries.`}
          </p>
          <Button
            disabled={!count || !endpoint.enabled}
            busy={retry.isPending}
            title={endpoint.enabled ? undefined : 'Enable the endpoint first'}
            onClick={() =>
              retry.mutate(
                { endpointId: endpoint.id },
                {
                  onSuccess: (r) => toast.success(`${r.retried} failed deliver${r.retried === 1 ? 'y' : 'ies'} retried`, 'Each starts a fresh retry schedule.'),
                  onError: (error) => toast.problem('Could not retry', error),
                },
              )
            }
          >
            Retry all failed
          </Button>
        </div>
        <form className="recovery__part" onSubmit={submit}>
          <h3>Recover since a time</h3>
          <div className="field">
            <label htmlFor={sinceId}>Failed since</label>
            <input id={sinceId} type="datetime-local" required value={since} max={localInput(new Date())} onChange={(e) => setSince(e.target.value)} />
          </div>
          <div>
            <Button type="submit" busy={recover.isPending} disabled={!endpoint.enabled}>
              Recover
            </Button>
          </div>
        </form>
      </div>
    </Section>
  );
}
