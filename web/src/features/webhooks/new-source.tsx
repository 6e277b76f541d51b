/**
 * "New source": a name, then either a provider's preset (Stripe, GitHub…: its signing secret is
 * all it needs) or a generic source verified by an HMAC signature or a shared token in a header,
 * or not at all. Once created, the dialog shows the URL to give the provider; the secret is
 * never shown again.
 */
import { useId, useState, type FormEvent } from 'react';
import { useConnectors } from '../../api/hooks/catalog';
import { useCreateSource, type NewSource, type Source } from '../../api/hooks/sources';
import { ProblemAlert } from '../../components/page';
import { Button } from '../../components/ui/button';
import { CopyableId } from '../../components/ui/copyable-id';
import { Dialog } from '../../components/ui/dialog';
import { useToast } from '../../components/ui/toast';

/** The generic schemes the form offers; the API takes more (basic auth, templates) for the CLI. */
type Scheme = 'hmac' | 'header' | 'none';
const GENERIC = '';

interface Draft {
  name: string;
  connector: string;
  secret: string;
  scheme: Scheme;
  header: string;
  encoding: 'hex' | 'base64';
  prefix: string;
  allowUnverified: boolean;
}

const EMPTY: Draft = { name: '', connector: GENERIC, secret: '', scheme: 'hmac', header: 'x-signature', encoding: 'hex', prefix: '', allowUnverified: false };

/** The API's body for what the form says. */
function sourceBody(draft: Draft): NewSource {
  const name = draft.name.trim();
  if (draft.connector !== GENERIC) return { name, connector: draft.connector, secret: draft.secret };
  if (draft.scheme === 'none') return { name, verification: { type: 'none' }, ...(draft.allowUnverified ? { allowUnverified: true } : {}) };
  if (draft.scheme === 'header') return { name, verification: { type: 'header', header: draft.header.trim() }, secret: draft.secret };
  return {
    name,
    verification: { type: 'hmac', header: draft.header.trim(), algorithm: 'sha256', encoding: draft.encoding, ...(draft.prefix ? { prefix: draft.prefix } : {}) },
    secret: draft.secret,
  };
}

export function NewSourceButton() {
  const [open, setOpen] = useState(false);
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [created, setCreated] = useState<Source | undefined>();
  const create = useCreateSource();
  const toast = useToast();
  // Only connectors with an inbound preset can verify a provider's signature for it.
  const presets = useConnectors({ capability: 'webhooks' });
  const ids = { name: useId(), connector: useId(), secret: useId(), scheme: useId(), header: useId(), encoding: useId(), prefix: useId() };
  const set = (change: Partial<Draft>) => setDraft((d) => ({ ...d, ...change }));
  const generic = draft.connector === GENERIC;
  const needsSecret = !generic || draft.scheme !== 'none';

  const close = () => {
    setOpen(false);
    setDraft(EMPTY);
    setCreated(undefined);
    create.reset();
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(sourceBody(draft), {
      onSuccess: (source) => {
        setCreated(source);
        toast.success(`Source ${source.name} created`, 'Give its URL to the provider.');
      },
    });
  };

  return (
    <>
      <Button variant="primary" onClick={() => setOpen(true)}>
        New source
      </Button>
      <Dialog
        open={open}
        onClose={close}
        title={created ? `${created.name} is ready` : 'New source'}
        description={created ? undefined : 'A URL a provider sends webhooks to. Each request is verified, stored, acknowledged, then processed.'}
      >
        {created ? (
          <div className="form">
            <p>Paste this URL into the provider’s webhook settings. The secret is stored encrypted and never shown again.</p>
            <CopyableId value={created.url} label={`URL of ${created.name}`} wrap />
            <div className="ui-dialog__actions">
              <Button variant="primary" onClick={close}>
                Done
              </Button>
            </div>
          </div>
        ) : (
          <form className="form" onSubmit={submit}>
            <div className="field">
              <label htmlFor={ids.name}>Name</label>
              <input id={ids.name} required maxLength={200} placeholder="Stripe payments" value={draft.name} onChange={(e) => set({ name: e.target.value })} />
            </div>
            <div className="field">
              <label htmlFor={ids.connector}>Provider</label>
              <select id={ids.connector} value={draft.connector} onChange={(e) => set({ connector: e.target.value })}>
                <option value={GENERIC}>Any sender (generic verification)</option>
                {(presets.data?.data ?? []).map((c) => (
                  <option key={c.key} value={c.key}>
                    {c.name}
                  </option>
                ))}
              </select>
              <p className="field__help">A provider’s preset checks its own signature scheme; generic sources name theirs below.</p>
            </div>
            {generic && (
              <div className="field">
                <label htmlFor={ids.scheme}>Verification</label>
                <select id={ids.scheme} value={draft.scheme} onChange={(e) => set({ scheme: e.target.value as Scheme })}>
                  <option value="hmac">HMAC-SHA256 signature of the body, in a header</option>
                  <option value="header">Shared secret in a header</option>
                  <option value="none">None: accept every request</option>
                </select>
              </div>
            )}
            {generic && draft.scheme !== 'none' && (
              <div className="field">
                <label htmlFor={ids.header}>Header</label>
                <input id={ids.header} required className="mono" value={draft.header} onChange={(e) => set({ header: e.target.value })} />
              </div>
            )}
            {generic && draft.scheme === 'hmac' && (
              <div className="two-fields">
                <div className="field">
                  <label htmlFor={ids.encoding}>Digest encoding</label>
                  <select id={ids.encoding} value={draft.encoding} onChange={(e) => set({ encoding: e.target.value as Draft['encoding'] })}>
                    <option value="hex">hex</option>
                    <option value="base64">base64</option>
                  </select>
                </div>
                <div className="field">
                  <label htmlFor={ids.prefix}>Prefix (optional)</label>
                  <input id={ids.prefix} className="mono" placeholder="sha256=" value={draft.prefix} onChange={(e) => set({ prefix: e.target.value })} />
                </div>
              </div>
            )}
            {needsSecret && (
              <div className="field">
                <label htmlFor={ids.secret}>{generic && draft.scheme === 'header' ? 'Shared secret' : 'Signing secret'}</label>
                <input id={ids.secret} type="password" autoComplete="off" required value={draft.secret} onChange={(e) => set({ secret: e.target.value })} />
                <p className="field__help">From the provider’s webhook settings. Stored encrypted; never shown again.</p>
              </div>
            )}
            {generic && draft.scheme === 'none' && (
              <label className="checkbox">
                <input type="checkbox" checked={draft.allowUnverified} onChange={(e) => set({ allowUnverified: e.target.checked })} />
                <span>Anyone who learns the URL can send events: accept that (required in production)</span>
              </label>
            )}
            {create.error && <ProblemAlert error={create.error} action="Not created" />}
            <div className="ui-dialog__actions">
              <Button onClick={close}>Cancel</Button>
              <Button type="submit" variant="primary" busy={create.isPending}>
                Create source
              </Button>
            </div>
          </form>
        )}
      </Dialog>
    </>
  );
}
