/**
 * The API-key / basic form, built from the manifest's fields: labels, help, placeholders, and
 * checks as you type (pattern with its hint, format). "Test connection" asks the provider without
 * saving; "Connect" tests and saves in one step. A refusal is said in the provider's words.
 */
import { useId, useState, type FormEvent } from 'react';
import { api, ApiError, type Field, type Integration, type TestOutcome } from './api.ts';
import { fill, type Words } from './i18n.ts';
import { fieldError } from './validate.ts';

export interface Connected {
  connectionId: string;
  integrationId: string;
  endCustomerId: string;
}

interface Props {
  token: string;
  integration: Integration;
  reconnect: boolean;
  words: Words;
  onConnected: (result: Connected) => void;
  onFatal: (problem: ApiError) => void;
}

type Status = { kind: 'idle' } | { kind: 'busy'; action: 'test' | 'connect' } | { kind: 'passed' } | { kind: 'refused'; outcome: TestOutcome };

function FieldInput({ field, value, error, touched, words, onChange, onBlur }: { field: Field; value: string; error: string | undefined; touched: boolean; words: Words; onChange: (v: string) => void; onBlur: () => void }) {
  const id = useId();
  const [shown, setShown] = useState(false);
  const show = touched && error;
  const describedBy = [field.help ? `${id}-help` : '', show ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className="pc-field">
      <label htmlFor={id}>{field.label}</label>
      <div className="pc-input-row">
        <input
          id={id}
          name={field.name}
          type={field.secret && !shown ? 'password' : field.format === 'email' ? 'email' : field.format === 'url' ? 'url' : 'text'}
          value={value}
          placeholder={field.placeholder}
          autoComplete="off"
          spellCheck={false}
          required={field.required !== false}
          aria-invalid={show ? true : undefined}
          aria-describedby={describedBy}
          onChange={(e) => onChange(e.target.value)}
          onBlur={onBlur}
        />
        {field.secret ? (
          <button type="button" className="pc-button pc-button-quiet" aria-pressed={shown} aria-label={`${shown ? words.secretHidden : words.secretShown} ${field.label}`} onClick={() => setShown(!shown)}>
            {shown ? words.secretHidden : words.secretShown}
          </button>
        ) : null}
      </div>
      {field.help ? (
        <p id={`${id}-help`} className="pc-help">
          {field.help}
        </p>
      ) : null}
      {show ? (
        <p id={`${id}-error`} className="pc-field-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}

export function CredentialForm({ token, integration, reconnect, words, onConnected, onFatal }: Props) {
  const all = [...integration.fields.map((f) => ({ ...f, group: 'credentials' as const })), ...integration.configFields.map((f) => ({ ...f, group: 'config' as const }))];
  const [values, setValues] = useState<Record<string, string>>(() => Object.fromEntries(all.map((f) => [`${f.group}.${f.name}`, f.default ?? ''])));
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  const [status, setStatus] = useState<Status>({ kind: 'idle' });
  const errors = Object.fromEntries(all.map((f) => [`${f.group}.${f.name}`, fieldError(f, values[`${f.group}.${f.name}`] ?? '', words)]));
  const valid = Object.values(errors).every((e) => e === undefined);
  const busy = status.kind === 'busy';

  const input = () => {
    const credentials: Record<string, string> = {};
    const config: Record<string, string> = {};
    for (const f of all) {
      const value = (values[`${f.group}.${f.name}`] ?? '').trim();
      if (value !== '') (f.group === 'credentials' ? credentials : config)[f.name] = value;
    }
    return { integration: integration.id, credentials, config };
  };

  const run = async (action: 'test' | 'connect') => {
    setTouched(Object.fromEntries(all.map((f) => [`${f.group}.${f.name}`, true])));
    if (!valid) return;
    setStatus({ kind: 'busy', action });
    try {
      // The live test runs first, also before saving: a refusal is an answer, not an error.
      const outcome = await api.test(token, input());
      if (!outcome.ok) return setStatus({ kind: 'refused', outcome });
      if (action === 'test') return setStatus({ kind: 'passed' });
      const made = await api.connect(token, input());
      onConnected(made);
    } catch (err) {
      if (err instanceof ApiError && err.problem.test) setStatus({ kind: 'refused', outcome: err.problem.test });
      else if (err instanceof ApiError && err.problem.status === 400) setStatus({ kind: 'refused', outcome: { ok: false, message: err.problem.errors?.map((e) => e.message).join(' ') ?? err.message } });
      else if (err instanceof ApiError) onFatal(err);
      else setStatus({ kind: 'refused', outcome: { ok: false, message: words.unreachable } });
    }
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void run('connect');
  };

  return (
    <form className="pc-form" onSubmit={submit} noValidate aria-busy={busy}>
      {all.map((f) => {
        const key = `${f.group}.${f.name}`;
        return (
          <FieldInput
            key={key}
            field={f}
            value={values[key] ?? ''}
            error={errors[key]}
            touched={Boolean(touched[key]) || (values[key] ?? '') !== (f.default ?? '')}
            words={words}
            onChange={(v) => {
              setValues({ ...values, [key]: v });
              if (status.kind !== 'busy') setStatus({ kind: 'idle' });
            }}
            onBlur={() => setTouched({ ...touched, [key]: true })}
          />
        );
      })}
      <div role="status" aria-live="polite" className="pc-live">
        {status.kind === 'passed' ? <p className="pc-notice pc-notice-success">{fill(words.testPassed, { name: integration.name })}</p> : null}
        {status.kind === 'busy' ? <p className="pc-muted">{status.action === 'test' ? words.testing : words.connecting}</p> : null}
      </div>
      {status.kind === 'refused' ? (
        <div role="alert" className="pc-notice pc-notice-danger">
          <p className="pc-notice-title">
            {words.refused}
            {status.outcome.status ? ` (${status.outcome.status})` : ''}
          </p>
          <p>{status.outcome.message}</p>
          {status.outcome.hint ? <p className="pc-help">{status.outcome.hint}</p> : null}
        </div>
      ) : null}
      <div className="pc-actions">
        <button type="button" className="pc-button pc-button-secondary" disabled={busy} onClick={() => void run('test')}>
          {words.test}
        </button>
        <button type="submit" className="pc-button pc-button-primary" disabled={busy}>
          {reconnect ? words.save : words.connect}
        </button>
      </div>
    </form>
  );
}
