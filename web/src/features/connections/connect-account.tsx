/**
 * "Connect an account": the operator's way into the Connect UI, for a test account or to send a
 * customer a link. It makes a connect session for an end customer (on one integration or all),
 * then offers the Connect UI in a new tab and its link to copy. The link holds the session's
 * token: it is shown here once and connects one account.
 */
import { Link } from '@tanstack/react-router';
import { useId, useState, type FormEvent } from 'react';
import { useIntegrations } from '../../api/hooks/integrations';
import { useCreateConnectSession } from '../../api/hooks/connections';
import { ProblemAlert } from '../../components/page';
import { Button } from '../../components/ui/button';
import { CopyableId } from '../../components/ui/copyable-id';
import { Dialog } from '../../components/ui/dialog';

const EVERY = '';

export function ConnectAccountButton() {
  const [open, setOpen] = useState(false);
  const [endCustomerId, setEndCustomerId] = useState('');
  const [integration, setIntegration] = useState(EVERY);
  const [link, setLink] = useState<string | undefined>();
  const create = useCreateConnectSession();
  const integrations = useIntegrations({ limit: 100 });
  const ids = { customer: useId(), integration: useId() };
  const close = () => {
    setOpen(false);
    setLink(undefined);
    setEndCustomerId('');
    setIntegration(EVERY);
    create.reset();
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate({ endCustomerId: endCustomerId.trim(), ...(integration === EVERY ? {} : { integrations: [integration] }) }, { onSuccess: (session) => setLink(session.connectUiUrl) });
  };
  // What a customer may connect: enabled integrations that connect by OAuth, API key or password.
  const connectable = (integrations.data?.data ?? []).filter((i) => i.enabled);
  return (
    <>
      <Button variant="primary" onClick={() => setOpen(true)}>
        Connect an account
      </Button>
      <Dialog
        open={open}
        onClose={close}
        title={link ? 'The Connect UI is ready' : 'Connect an account'}
        description={link ? undefined : 'Opens the Connect UI your customers see, for a test account or to send a customer the link.'}
      >
        {link ? (
          <div className="form">
            <p>Open it here, or copy the link for your customer. It connects one account and expires; it is not shown again.</p>
            <CopyableId value={link} label="Connect UI link" wrap />
            <div className="ui-dialog__actions">
              <Button onClick={close}>Done</Button>
              <a className="ui-button ui-button--primary ui-button--md" href={link} target="_blank" rel="noopener noreferrer">
                Open the Connect UI
              </a>
            </div>
          </div>
        ) : integrations.isSuccess && connectable.length === 0 ? (
          <div className="form">
            <p>
              There is no integration to connect in this environment yet. <Link to="/catalog">Add one from the catalog</Link>, then come back.
            </p>
            <div className="ui-dialog__actions">
              <Button onClick={close}>Close</Button>
            </div>
          </div>
        ) : (
          <form className="form" onSubmit={submit}>
            <div className="field">
              <label htmlFor={ids.customer}>End customer id</label>
              <input id={ids.customer} required maxLength={255} className="mono" placeholder="the id of the customer in your product" value={endCustomerId} onChange={(e) => setEndCustomerId(e.target.value)} />
            </div>
            <div className="field">
              <label htmlFor={ids.integration}>Integration</label>
              <select id={ids.integration} value={integration} onChange={(e) => setIntegration(e.target.value)}>
                <option value={EVERY}>Let the customer choose</option>
                {connectable.map((i) => (
                  <option key={i.id} value={i.id}>
                    {i.name} ({i.key})
                  </option>
                ))}
              </select>
            </div>
            {create.error && <ProblemAlert error={create.error} action="No session" />}
            <div className="ui-dialog__actions">
              <Button onClick={close}>Cancel</Button>
              <Button type="submit" variant="primary" busy={create.isPending}>
                Make the link
              </Button>
            </div>
          </form>
        )}
      </Dialog>
    </>
  );
}
