/**
 * Environments of the organization: each fully isolated (its own integrations, credentials,
 * endpoints and keys). Add one; let one reach private networks (loopback, LAN) — off by default
 * because every configured URL passes the SSRF guard.
 */
import { useId, useState, type FormEvent } from 'react';
import { useCan } from '../../api/hooks/auth';
import { useCreateEnvironment, useUpdateEnvironment } from '../../api/hooks/members';
import { useEnvironments } from '../../api/hooks/organization';
import { Can } from '../../components/can';
import { ProblemAlert, QueryView, Section } from '../../components/page';
import { Badge } from '../../components/ui/badge';
import { Button } from '../../components/ui/button';
import { Dialog } from '../../components/ui/dialog';
import { RelativeTime } from '../../components/ui/relative-time';
import { Table, TableHead } from '../../components/ui/table';
import { useToast } from '../../components/ui/toast';

function AddEnvironment() {
  const create = useCreateEnvironment();
  const toast = useToast();
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const nameId = useId();
  const close = () => {
    setOpen(false);
    setName('');
    create.reset();
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate({ name }, { onSuccess: (env) => (close(), toast.success(`Environment ${env.name} added`, 'Pick it in the top bar to set it up.')) });
  };
  return (
    <>
      <Button onClick={() => setOpen(true)}>Add environment</Button>
      <Dialog open={open} onClose={close} title="Add an environment" description="It starts empty: its own integrations, connections, endpoints and API keys.">
        <form className="form" onSubmit={submit}>
          <div className="field">
            <label htmlFor={nameId}>Name</label>
            <input id={nameId} required maxLength={64} pattern="[a-z0-9][a-z0-9\-]*" value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. staging" aria-describedby={`${nameId}-help`} />
            <p id={`${nameId}-help`} className="field__help">
              Lower-case letters, digits and dashes.
            </p>
          </div>
          {create.error && <ProblemAlert error={create.error} action="Not added" />}
          <div className="ui-dialog__actions">
            <Button onClick={close}>Cancel</Button>
            <Button type="submit" variant="primary" busy={create.isPending}>
              Add
            </Button>
          </div>
        </form>
      </Dialog>
    </>
  );
}

export function Environments() {
  const environments = useEnvironments();
  const update = useUpdateEnvironment();
  const canWrite = useCan('organization:write');
  const toast = useToast();
  return (
    <Section
      title="Environments"
      actions={
        <Can scope="organization:write">
          <AddEnvironment />
        </Can>
      }
    >
      <QueryView query={environments} label="Loading environments">
        {(page) => (
          <Table caption="Environments of the organization">
            <TableHead columns={['Name', 'Private networks', 'Created']} />
            <tbody>
              {page.data.map((env) => (
                <tr key={env.id}>
                  <td>
                    <span className="cell-main">{env.name}</span>
                    {env.name === 'prod' && <Badge tone="danger">production</Badge>}
                  </td>
                  <td>
                    {canWrite ? (
                      <label className="checkbox">
                        <input
                          type="checkbox"
                          aria-label={`Allow loopback and private addresses in ${env.name}`}
                          // Shows the asked-for state while the hub saves it.
                          checked={update.isPending && update.variables.id === env.id ? Boolean(update.variables.change.allowPrivateNetworks) : env.allowPrivateNetworks}
                          disabled={update.isPending}
                          onChange={(e) =>
                            update.mutate(
                              { id: env.id, change: { allowPrivateNetworks: e.target.checked } },
                              {
                                onSuccess: (saved) => toast.success(saved.allowPrivateNetworks ? `${saved.name} may reach private networks` : `${saved.name} reaches public addresses only`),
                                onError: (error) => toast.problem(`Could not change ${env.name}`, error),
                              },
                            )
                          }
                        />
                        Allow loopback and private addresses
                      </label>
                    ) : env.allowPrivateNetworks ? (
                      'allowed'
                    ) : (
                      'refused'
                    )}
                  </td>
                  <td>
                    <RelativeTime value={env.createdAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </QueryView>
    </Section>
  );
}
