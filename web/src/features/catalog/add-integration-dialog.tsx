/**
 * "Add integration": the OAuth client settings for an OAuth connector (then the exact callback
 * URL to register with the provider), or the integration fields its manifest declares.
 */
import { Link } from '@tanstack/react-router';
import { useId, useState, type FormEvent } from 'react';
import type { Connector } from '../../api/hooks/catalog';
import { useCreateIntegration, type Integration, type NewIntegration } from '../../api/hooks/integrations';
import { ProblemAlert } from '../../components/page';
import { Button } from '../../components/ui/button';
import { CopyableId } from '../../components/ui/copyable-id';
import { Dialog } from '../../components/ui/dialog';
import { useToast } from '../../components/ui/toast';

interface FieldSpec {
  name: string;
  label: string;
  help?: string | undefined;
  placeholder?: string | undefined;
  required?: boolean | undefined;
  secret?: boolean | undefined;
  initial?: string | undefined;
}

function Field({ spec, value, onChange }: { spec: FieldSpec; value: string; onChange: (value: string) => void }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>
        {spec.label}
        {spec.required ? '' : ' (optional)'}
      </label>
      <input id={id} type={spec.secret ? 'password' : 'text'} autoComplete="off" required={spec.required} placeholder={spec.placeholder} value={value} onChange={(e) => onChange(e.target.value)} aria-describedby={spec.help ? `${id}-help` : undefined} />
      {spec.help && (
        <p id={`${id}-help`} className="field__help">
          {spec.help}
        </p>
      )}
    </div>
  );
}

function fieldsOf(connector: Connector): FieldSpec[] {
  const fields: FieldSpec[] = [{ name: 'key', label: 'Key', help: `Names the integration in this environment; "${connector.key}" when left empty.`, placeholder: connector.key }];
  if (connector.connectionMode === 'oauth') {
    fields.push(
      { name: 'clientId', label: 'OAuth client id', required: true },
      { name: 'clientSecret', label: 'OAuth client secret', required: true, secret: true, help: 'Stored encrypted; never shown again.' },
      { name: 'scopes', label: 'Scopes', help: 'Separated by spaces. The connector’s defaults when left empty.', placeholder: connector.auth.scopes.join(' ') },
    );
  }
  for (const [name, field] of Object.entries(connector.integrationConfig ?? {})) {
    fields.push({ name: `config.${name}`, label: field.label, help: field.help, placeholder: field.placeholder, required: field.required, secret: field.secret, initial: field.default });
  }
  fields.push({ name: 'baseUrl', label: 'Base URL', help: 'Only to reach another host than the provider’s (a sandbox, a regional host, a simulator).' });
  return fields;
}

function bodyOf(connector: Connector, values: Record<string, string>): NewIntegration {
  const body: NewIntegration = { connectorKey: connector.key };
  const config: Record<string, string> = {};
  for (const [name, raw] of Object.entries(values)) {
    const value = raw.trim();
    if (!value) continue;
    if (name.startsWith('config.')) config[name.slice(7)] = value;
    else if (name === 'scopes') body.scopes = value.split(/[\s,]+/).filter(Boolean);
    else (body as Record<string, unknown>)[name] = value;
  }
  if (Object.keys(config).length) body.config = config;
  return body;
}

export function AddIntegrationDialog({ connector, open, onClose }: { connector: Connector; open: boolean; onClose: () => void }) {
  const fields = fieldsOf(connector);
  const [values, setValues] = useState<Record<string, string>>(() => Object.fromEntries(fields.map((f) => [f.name, f.initial ?? ''])));
  const [created, setCreated] = useState<Integration | undefined>();
  const create = useCreateIntegration();
  const toast = useToast();
  const close = () => {
    setCreated(undefined);
    create.reset();
    onClose();
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(bodyOf(connector, values), {
      onSuccess: (integration) => {
        setCreated(integration as Integration);
        toast.success(`Integration ${integration.name} added`, `Customers can now connect their ${connector.name} accounts.`);
      },
    });
  };
  if (created) {
    return (
      <Dialog
        open={open}
        onClose={close}
        title={`${created.name} is ready`}
        description={created.oauth ? 'Register this redirect URI in the provider’s OAuth app, exactly as shown:' : 'Connections can now be created for it, from the API, the CLI or the Connect UI.'}
        actions={
          <>
            <Link to="/connections" search={{ integrationId: created.id }} className="ui-button ui-button--secondary ui-button--md">
              Its connections
            </Link>
            <Button variant="primary" onClick={close}>
              Done
            </Button>
          </>
        }
      >
        {created.oauth && <CopyableId value={created.oauth.callbackUrl} label="callback URL" />}
      </Dialog>
    );
  }
  return (
    <Dialog open={open} onClose={close} title={`Add ${connector.name}`} description="An integration is this connector configured in the current environment.">
      <form className="form" onSubmit={submit}>
        {fields.map((spec) => (
          <Field key={spec.name} spec={spec} value={values[spec.name] ?? ''} onChange={(value) => setValues((all) => ({ ...all, [spec.name]: value }))} />
        ))}
        {create.error && <ProblemAlert error={create.error} action="Could not add the integration" />}
        <div className="ui-dialog__actions">
          <Button onClick={close}>Cancel</Button>
          <Button type="submit" variant="primary" busy={create.isPending}>
            Add integration
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
