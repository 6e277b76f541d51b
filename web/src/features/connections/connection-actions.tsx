/**
 * The connector's actions on this connection (the Email connector's send): each with its
 * description, an input to edit as JSON (started from the schema's required fields), the schema
 * itself, and a Run button for roles that may call the provider. The hub checks the input before
 * anything is sent; its answer — the action's output, or the fields it refused — shows in place.
 */
import { useId, useState, type FormEvent } from 'react';
import { ApiProblem } from '../../api/client';
import { useConnectionActions, useRunAction, type ConnectorAction } from '../../api/hooks/connections';
import { Can } from '../../components/can';
import { ProblemAlert, Section } from '../../components/page';
import { Button } from '../../components/ui/button';
import { JsonViewer } from '../../components/ui/json-viewer';
import { useToast } from '../../components/ui/toast';

interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  anyOf?: JsonSchema[];
}

/** A starting input: each required field with an empty value of its type. */
function skeleton(schema: JsonSchema): unknown {
  const first = schema.anyOf?.[0];
  if (first) return skeleton(first);
  switch (schema.type) {
    case 'object':
      return Object.fromEntries((schema.required ?? []).map((name) => [name, skeleton(schema.properties?.[name] ?? {})]));
    case 'array':
      return [];
    case 'number':
    case 'integer':
      return 0;
    case 'boolean':
      return false;
    default:
      return '';
  }
}

function parseInput(text: string): { value: Record<string, unknown> } | { error: string } {
  try {
    const value: unknown = JSON.parse(text);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return { error: 'The input is a JSON object: { "field": value, … }.' };
    return { value: value as Record<string, unknown> };
  } catch (err) {
    return { error: `Not JSON yet: ${(err as Error).message}` };
  }
}

function ActionForm({ connectionId, action }: { connectionId: string; action: ConnectorAction }) {
  const run = useRunAction(connectionId);
  const toast = useToast();
  const ids = { input: useId(), help: useId() };
  const [text, setText] = useState(() => JSON.stringify(skeleton(action.input as JsonSchema), null, 2));
  const [output, setOutput] = useState<Record<string, unknown> | undefined>();
  const input = parseInput(text);
  const refused = run.error instanceof ApiProblem ? (run.error.problem.errors ?? []) : [];

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!('value' in input)) return;
    setOutput(undefined);
    run.mutate(
      { action: action.name, input: input.value },
      {
        onSuccess: (result) => {
          setOutput(result.output);
          toast.success(`${action.name} ran`, 'Its output is below; the run is in the audit log.');
        },
      },
    );
  };

  return (
    <form className="action-form" onSubmit={submit} aria-label={`Action ${action.name}`}>
      <h3 className="mono">{action.name}</h3>
      <p>{action.description}</p>
      <div className="field">
        <label htmlFor={ids.input}>Input (JSON)</label>
        <textarea id={ids.input} className="mono" rows={6} spellCheck={false} value={text} onChange={(e) => setText(e.target.value)} aria-invalid={'error' in input || undefined} aria-describedby={ids.help} />
        <p id={ids.help} className="field__help">
          {'error' in input ? input.error : 'Checked against the schema before anything is sent to the provider.'}
        </p>
      </div>
      <details className="action-form__schema">
        <summary>Input schema</summary>
        <JsonViewer value={action.input} label={`Input schema of ${action.name}`} />
      </details>
      <Can scope="proxy:use" otherwise={<p className="muted">Your role may look at actions but not run them.</p>}>
        <div className="action-form__buttons">
          <Button type="submit" variant="primary" busy={run.isPending} disabled={'error' in input}>
            Run {action.name}
          </Button>
        </div>
      </Can>
      {run.error && (
        <>
          <ProblemAlert error={run.error} action={`${action.name} did not run`} />
          {refused.length > 0 && (
            <ul className="action-form__errors" aria-label="Fields the hub refused">
              {refused.map((e) => (
                <li key={`${e.field}:${e.message}`}>
                  <code>{e.field}</code> {e.message}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
      {output && (
        <div className="action-form__output">
          <h4>Output</h4>
          <JsonViewer value={output} label={`Output of ${action.name}`} />
        </div>
      )}
    </form>
  );
}

export function ConnectionActions({ connectionId }: { connectionId: string }) {
  const actions = useConnectionActions(connectionId);
  if (actions.error) {
    return (
      <Section title="Actions">
        <ProblemAlert error={actions.error} action="Could not list the actions" />
      </Section>
    );
  }
  const list = actions.data?.data ?? [];
  // Most connectors have none: no section rather than an empty one.
  if (list.length === 0) return null;
  return (
    <Section title="Actions">
      <p className="muted">What the connector does on request with this connection’s credential. Each run is in the audit log, without its input.</p>
      {list.map((action) => (
        <ActionForm key={action.name} connectionId={connectionId} action={action} />
      ))}
    </Section>
  );
}
