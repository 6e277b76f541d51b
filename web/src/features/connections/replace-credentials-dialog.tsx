/**
 * "Replace credentials" for an API-key or basic connection (a rotated key): the connector's own
 * fields, tested by the hub against the provider before anything is stored.
 */
import { useId, useState, type FormEvent } from 'react';
import { useConnector } from '../../api/hooks/catalog';
import { useReplaceCredentials, type Connection } from '../../api/hooks/connections';
import { ProblemAlert } from '../../components/page';
import { Button } from '../../components/ui/button';
import { Dialog } from '../../components/ui/dialog';
import { useToast } from '../../components/ui/toast';

interface AuthField {
  label: string;
  help?: string;
  placeholder?: string;
  secret?: boolean;
  required?: boolean;
}

function Field({ name, field, value, onChange }: { name: string; field: AuthField; value: string; onChange: (value: string) => void }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{field.label}</label>
      <input id={id} name={name} type={field.secret ? 'password' : 'text'} autoComplete="off" required={field.required !== false} placeholder={field.placeholder} value={value} onChange={(e) => onChange(e.target.value)} aria-describedby={field.help ? `${id}-help` : undefined} />
      {field.help && (
        <p id={`${id}-help`} className="field__help">
          {field.help}
        </p>
      )}
    </div>
  );
}

export function ReplaceCredentials({ connection }: { connection: Connection }) {
  const connector = useConnector(connection.connectorKey);
  const replace = useReplaceCredentials(connection.id);
  const toast = useToast();
  const [open, setOpen] = useState(false);
  const [values, setValues] = useState<Record<string, string>>({});
  const manifest = connector.data;
  if (!manifest || manifest.connectionMode === 'oauth' || manifest.connectionMode === 'managedVault') return null;
  const fields = Object.entries(manifest.auth.fields) as [string, AuthField][];
  const close = () => {
    setOpen(false);
    setValues({});
    replace.reset();
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    replace.mutate(
      { credentials: values },
      {
        onSuccess: () => {
          close();
          toast.success('Credentials replaced', `${manifest.name} accepted them; the old ones are gone.`);
        },
      },
    );
  };
  return (
    <>
      <Button onClick={() => setOpen(true)}>Replace credentials</Button>
      <Dialog open={open} onClose={close} title={`Replace the credentials of ${connection.id}`} description={`They are tested against ${manifest.name} first; the current ones stay until the new ones pass.`}>
        <form className="form" onSubmit={submit}>
          {fields.map(([name, field]) => (
            <Field key={name} name={name} field={field} value={values[name] ?? ''} onChange={(value) => setValues((all) => ({ ...all, [name]: value }))} />
          ))}
          {replace.error && <ProblemAlert error={replace.error} action="Not replaced" />}
          <div className="ui-dialog__actions">
            <Button onClick={close}>Cancel</Button>
            <Button type="submit" variant="primary" busy={replace.isPending}>
              Test and replace
            </Button>
          </div>
        </form>
      </Dialog>
    </>
  );
}
