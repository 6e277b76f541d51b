/**
 * The endpoint's signing secret: revealed on request (the hub audits every reveal) and rotated
 * with a grace period during which the old secret signs too, so receivers can switch over.
 */
import { useId, useState } from 'react';
import type { Endpoint } from '../../api/hooks/webhooks';
import { useRevealSecret, useRotateSecret } from '../../api/hooks/webhooks-out';
import { Can } from '../../components/can';
import { Section } from '../../components/page';
import { Button } from '../../components/ui/button';
import { CopyableId } from '../../components/ui/copyable-id';
import { Dialog } from '../../components/ui/dialog';
import { useToast } from '../../components/ui/toast';
import '../../styles/webhooks.css';

function RotateButton({ endpoint, onRotated }: { endpoint: Endpoint; onRotated: () => void }) {
  const rotate = useRotateSecret(endpoint.id);
  const toast = useToast();
  const [open, setOpen] = useState(false);
  const [hours, setHours] = useState('24');
  const hoursId = useId();
  return (
    <>
      <Button onClick={() => setOpen(true)}>Rotate secret</Button>
      <Dialog
        open={open}
        onClose={() => setOpen(false)}
        title="Rotate the signing secret?"
        description="A new secret is generated. During the grace period requests carry both signatures, so the receiver can switch to the new secret without dropping any."
        actions={
          <>
            <Button onClick={() => setOpen(false)}>Cancel</Button>
            <Button
              variant="primary"
              busy={rotate.isPending}
              onClick={() =>
                rotate.mutate(Number(hours), {
                  onSuccess: () => {
                    setOpen(false);
                    onRotated();
                    toast.success('Secret rotated', `The previous secret keeps signing for ${hours} h.`);
                  },
                  onError: (error) => toast.problem('Could not rotate the secret', error),
                })
              }
            >
              Rotate secret
            </Button>
          </>
        }
      >
        <div className="field">
          <label htmlFor={hoursId}>Grace period (hours)</label>
          <input id={hoursId} type="number" min={0} max={720} value={hours} onChange={(e) => setHours(e.target.value)} />
        </div>
      </Dialog>
    </>
  );
}

export function EndpointSecret({ endpoint }: { endpoint: Endpoint }) {
  const reveal = useRevealSecret(endpoint.id);
  const toast = useToast();
  const shown = reveal.data;
  return (
    <Section title="Signing secret">
      <p className="muted section__note">Receivers verify each request with it ({endpoint.signatureType === 'v1a' ? 'ed25519, v1a' : 'HMAC-SHA256, v1'}). Revealing it is recorded in the audit log.</p>
      {shown && (
        <div className="secret-box">
          {shown.secret && <CopyableId value={shown.secret} label="signing secret" />}
          {shown.publicKey && <CopyableId value={shown.publicKey} label="public key" />}
        </div>
      )}
      <Can scope="endpoints:write">
        <div className="button-row">
          {shown ? (
            <Button onClick={() => reveal.reset()}>Hide secret</Button>
          ) : (
            <Button busy={reveal.isPending} onClick={() => reveal.mutate(undefined, { onError: (error) => toast.problem('Could not reveal the secret', error) })}>
              Reveal secret
            </Button>
          )}
          <RotateButton endpoint={endpoint} onRotated={() => reveal.reset()} />
        </div>
      </Can>
    </Section>
  );
}
