/**
 * The mapping applied to a few records read live from the provider (nothing is written): what
 * the provider sent, what Patchbay would store, and what a change would write back.
 */
import { useEffect } from 'react';
import { usePreviewMapping } from '../../../api/hooks/mappings';
import { ProblemAlert } from '../../../components/page';
import { Button } from '../../../components/ui/button';
import { JsonViewer } from '../../../components/ui/json-viewer';

export function MappingPreview({ mappingId, connectionId, version }: { mappingId: string; connectionId: string | null; version: string }) {
  const preview = usePreviewMapping();
  const { mutate } = preview;
  // Runs again whenever the saved mapping changes (`version` is its updatedAt).
  useEffect(() => {
    if (connectionId) mutate({ id: mappingId, connectionId });
  }, [mappingId, connectionId, version, mutate]);
  if (!connectionId) return <p className="muted">This mapping belongs to an integration: open it from one of its connections to preview it on live records.</p>;
  return (
    <div className="mapping-preview">
      <div className="mapping-preview__bar">
        <p className="muted">Three records read from the provider now, through the saved mapping. Nothing is stored.</p>
        <Button size="sm" busy={preview.isPending} onClick={() => mutate({ id: mappingId, connectionId })}>
          Preview again
        </Button>
      </div>
      {preview.error && <ProblemAlert error={preview.error} action="Could not preview" />}
      {preview.data?.data.length === 0 && <p className="muted">The provider has no record of this model to preview on.</p>}
      {preview.data?.data.map((item, index) => (
        <article key={index} className="mapping-preview__item" aria-label={`Sample record ${index + 1}`}>
          {item.errors.length > 0 && (
            <div className="alert alert--danger">
              <strong>Does not map cleanly</strong>
              <p>{item.errors.map((e) => `${e.field}: ${e.message}`).join('; ')}</p>
            </div>
          )}
          <div className="mapping-preview__columns">
            <div>
              <h3>From the provider</h3>
              <JsonViewer value={item.input} label={`Sample ${index + 1} as the provider sent it`} />
            </div>
            <div>
              <h3>Stored in Patchbay</h3>
              <JsonViewer value={item.output} label={`Sample ${index + 1} as Patchbay stores it`} />
            </div>
            <div>
              <h3>Written back</h3>
              <JsonViewer value={item.exported} label={`Sample ${index + 1} as a change is written back`} />
            </div>
          </div>
        </article>
      ))}
    </div>
  );
}
