/**
 * Sources: where providers deliver webhooks. Each shows the URL to give the provider, how
 * requests are verified (a connector's preset or a generic scheme), its secrets, and rotation:
 * a new secret takes over while the previous one stays valid for a while.
 */
import { Link, getRouteApi } from '@tanstack/react-router';
import { useId, useState, type FormEvent } from 'react';
import { useSources, useUpdateSource, type Source } from '../../api/hooks/sources';
import { useEnvironment } from '../../api/session';
import { Can } from '../../components/can';
import { CursorList, LIST_PAGE_SIZE, ListTable, useCursorList } from '../../components/list-screen';
import { EmptyState, PageHeader, ProblemAlert } from '../../components/page';
import { Badge } from '../../components/ui/badge';
import { Button, buttonClass } from '../../components/ui/button';
import { CopyableId } from '../../components/ui/copyable-id';
import { Dialog } from '../../components/ui/dialog';
import { RelativeTime } from '../../components/ui/relative-time';
import { useToast } from '../../components/ui/toast';
import { NewSourceButton } from './new-source';
import '../../styles/webhooks.css';

const route = getRouteApi('/_app/sources');

/** "stripe preset", "HMAC-SHA256 in x-signature", "none (unverified)"… */
export function verificationText(source: Source): string {
  const v = source.verification as { type?: string; connector?: string; algorithm?: string; header?: string; username?: string } | null;
  if (!v || v.type === 'none') return source.unverified ? 'none (accepts unverified requests)' : 'none';
  if (v.type === 'preset') return `${v.connector ?? source.connector ?? 'connector'} preset`;
  if (v.type === 'hmac') return `HMAC-${(v.algorithm ?? '').toUpperCase()} in ${v.header ?? 'a header'}`;
  if (v.type === 'basic') return `basic auth (${v.username ?? 'user'})`;
  if (v.type === 'header') return `shared secret in ${v.header ?? 'a header'}`;
  return v.type ?? 'unknown';
}

function RotateSecret({ source }: { source: Source }) {
  const update = useUpdateSource(source.id);
  const toast = useToast();
  const [open, setOpen] = useState(false);
  const [secret, setSecret] = useState('');
  const [hours, setHours] = useState('24');
  const ids = { secret: useId(), hours: useId() };
  const close = () => {
    setOpen(false);
    setSecret('');
    update.reset();
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    update.mutate(
      { secret, keepPreviousSecretsForSeconds: Math.round(Number(hours) * 3600) },
      {
        onSuccess: () => {
          close();
          toast.success('Secret rotated', `${source.name} verifies with the new secret; the previous one stays valid for ${hours} h.`);
        },
      },
    );
  };
  return (
    <>
      <Button size="sm" onClick={() => setOpen(true)}>
        Rotate secret
      </Button>
      <Dialog
        open={open}
        onClose={close}
        title={`Rotate the secret of ${source.name}`}
        description="Paste the new signing secret from the provider's dashboard. Requests signed with the previous secret are still accepted during the overlap."
      >
        <form className="form" onSubmit={submit}>
          <div className="field">
            <label htmlFor={ids.secret}>New secret</label>
            <input id={ids.secret} type="password" autoComplete="off" required minLength={1} value={secret} onChange={(e) => setSecret(e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor={ids.hours}>Keep the previous secret valid for (hours)</label>
            <input id={ids.hours} type="number" min={0} max={720} value={hours} onChange={(e) => setHours(e.target.value)} />
          </div>
          {update.error && <ProblemAlert error={update.error} action="Not rotated" />}
          <div className="ui-dialog__actions">
            <Button onClick={close}>Cancel</Button>
            <Button type="submit" variant="primary" busy={update.isPending}>
              Rotate secret
            </Button>
          </div>
        </form>
      </Dialog>
    </>
  );
}

export function SourcesScreen() {
  const list = useCursorList(route);
  const { search } = list;
  const environment = useEnvironment();
  const sources = useSources({ ...search, limit: LIST_PAGE_SIZE });
  return (
    <>
      <PageHeader
        title="Sources"
        description={`Where providers send webhooks to ${environment}. Give each provider its source's URL.`}
        actions={
          <>
            <Link to="/inbound-events" className={buttonClass('ghost')}>
              Inbound events
            </Link>
            <Can scope="sources:write">
              <NewSourceButton />
            </Can>
          </>
        }
      />
      <CursorList
        list={list}
        query={sources}
        noun="source"
        empty={
          <EmptyState title={`No sources in ${environment} yet`}>
            Create one with <strong>New source</strong> (a provider’s preset, or a generic verification; <code>POST /api/v1/sources</code> from code); its URL then goes into the provider’s webhook settings.
          </EmptyState>
        }
      >
        {(rows) => (
          <ListTable caption="Sources" columns={['Source', 'URL to give the provider', 'Verification', 'State', { label: 'Actions', hidden: true }]} rows={rows} rowKey={(source) => source.id}>
            {(source) => (
              <>
                <td>
                  <Link to="/inbound-events" search={{ sourceId: source.id }} className="cell-main" title="Events of this source">
                    {source.name}
                  </Link>
                  <span className="muted mono cell-sub">{source.id}</span>
                </td>
                <td className="cell-url">
                  <CopyableId value={source.url} label={`URL of ${source.name}`} />
                </td>
                <td className="cell-wrap">
                  {verificationText(source)}
                  <span className="muted cell-sub">
                    {source.secretCount} secret{source.secretCount === 1 ? '' : 's'} · created <RelativeTime value={source.createdAt} />
                  </span>
                </td>
                <td>{source.disabled ? <Badge tone="warning">disabled</Badge> : <Badge tone="success">receiving</Badge>}</td>
                <td>
                  <Can scope="sources:write">
                    <RotateSecret source={source} />
                  </Can>
                </td>
              </>
            )}
          </ListTable>
        )}
      </CursorList>
    </>
  );
}
