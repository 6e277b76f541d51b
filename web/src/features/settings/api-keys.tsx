/** This environment's API keys: created with a role, shown once, revoked. */
import { useId, useState, type FormEvent } from 'react';
import { useApiKeys, useCreateApiKey, useRevokeApiKey } from '../../api/hooks/settings';
import { ROLES, type Role } from '../../api/hooks/members';
import { useEnvironment } from '../../api/session';
import { Can } from '../../components/can';
import { ConfirmButton } from '../../components/confirm-button';
import { EmptyState, ProblemAlert, QueryView, Section } from '../../components/page';
import { Badge } from '../../components/ui/badge';
import { Button } from '../../components/ui/button';
import { CopyableId } from '../../components/ui/copyable-id';
import { Dialog } from '../../components/ui/dialog';
import { RelativeTime } from '../../components/ui/relative-time';
import { Table, TableHead } from '../../components/ui/table';
import { useToast } from '../../components/ui/toast';

function CreateKey() {
  const environment = useEnvironment();
  const create = useCreateApiKey();
  const toast = useToast();
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('developer');
  const [secret, setSecret] = useState<string | undefined>();
  const nameId = useId();
  const roleId = useId();
  const close = () => {
    setOpen(false);
    setSecret(undefined);
    setName('');
    create.reset();
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(
      { name, role, environment },
      {
        onSuccess: (created) => {
          setSecret((created as { key: string }).key);
          toast.success(`API key ${name} created`, 'Copy it now: it is shown only once.');
        },
      },
    );
  };
  return (
    <>
      <Button variant="primary" onClick={() => setOpen(true)}>
        Create API key
      </Button>
      <Dialog open={open} onClose={close} title={secret ? 'Copy the key now' : `New API key for ${environment}`} description={secret ? 'This is the only time it is shown. Store it in your secret manager.' : 'The key acts in this environment only, with the role you choose.'}>
        {secret ? (
          <>
            <CopyableId value={secret} label="API key" />
            <div className="ui-dialog__actions">
              <Button variant="primary" onClick={close}>
                I stored it
              </Button>
            </div>
          </>
        ) : (
          <form className="form" onSubmit={submit}>
            <div className="field">
              <label htmlFor={nameId}>Name</label>
              <input id={nameId} required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. backend production" />
            </div>
            <div className="field">
              <label htmlFor={roleId}>Role</label>
              <select id={roleId} value={role} onChange={(e) => setRole(e.target.value as Role)}>
                {ROLES.map((r) => (
                  <option key={r} value={r}>
                    {r}
                  </option>
                ))}
              </select>
            </div>
            {create.error && <ProblemAlert error={create.error} action="Could not create the key" />}
            <div className="ui-dialog__actions">
              <Button onClick={close}>Cancel</Button>
              <Button type="submit" variant="primary" busy={create.isPending}>
                Create
              </Button>
            </div>
          </form>
        )}
      </Dialog>
    </>
  );
}

export function ApiKeys() {
  const environment = useEnvironment();
  const keys = useApiKeys({ limit: 100 });
  const revoke = useRevokeApiKey();
  const toast = useToast();
  return (
    <Section title="API keys" actions={<Can scope="api-keys:write"><CreateKey /></Can>}>
      <QueryView query={keys} label="Loading API keys">
        {(page) => {
          const mine = page.data.filter((key) => key.environment === environment);
          return mine.length === 0 ? (
            <EmptyState title={`No API keys in ${environment}`}>Create one for your backend to call Patchbay's API.</EmptyState>
          ) : (
            <Table caption={`API keys of ${environment}`}>
              <TableHead columns={['Name', 'Prefix', 'Role', 'Last used', { label: 'Actions', hidden: true }]} />
              <tbody>
                {mine.map((key) => (
                  <tr key={key.id}>
                    <td className="cell-main">{key.name}</td>
                    <td className="mono">{key.prefix}…</td>
                    <td>{key.role ?? 'custom scopes'}</td>
                    <td>
                      <RelativeTime value={key.lastUsedAt} empty="never" />
                    </td>
                    <td>
                      {key.revokedAt ? (
                        <Badge tone="warning">revoked</Badge>
                      ) : (
                        <Can scope="api-keys:write">
                          <ConfirmButton
                            size="sm"
                            label="Revoke"
                            title={`Revoke ${key.name}?`}
                            description="Every request made with it is refused from now on, everywhere. This cannot be undone."
                            busy={revoke.isPending}
                            onConfirm={() =>
                              revoke.mutateAsync(key.id).then(
                                () => toast.success(`${key.name} revoked`),
                                (error: unknown) => toast.problem('Could not revoke the key', error),
                              )
                            }
                          />
                        </Can>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </Table>
          );
        }}
      </QueryView>
    </Section>
  );
}
