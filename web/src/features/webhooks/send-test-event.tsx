/** "Send test event": a `webhook.test` message to this endpoint only. */
import type { Endpoint } from '../../api/hooks/webhooks';
import { useSendTestEvent } from '../../api/hooks/webhooks';
import { Button, type ButtonVariant } from '../../components/ui/button';
import { useToast } from '../../components/ui/toast';

export function SendTestEvent({ endpoint, variant = 'secondary', size = 'md' }: { endpoint: Endpoint; variant?: ButtonVariant; size?: 'sm' | 'md' }) {
  const send = useSendTestEvent(endpoint.id);
  const toast = useToast();
  return (
    <Button
      size={size}
      variant={variant}
      busy={send.isPending}
      disabled={!endpoint.enabled}
      title={endpoint.enabled ? undefined : 'Enable the endpoint first'}
      onClick={() =>
        send.mutate(undefined, {
          onSuccess: (message) => toast.success('Test event sent', `${message.id} queued for ${endpoint.url}; its attempts are in the message log.`),
          onError: (error) => toast.problem('Could not send the test event', error),
        })
      }
    >
      Send test event
    </Button>
  );
}
