/**
 * Group claim for the dispatch runs of one process: the (non-FIFO) claims asked for in the same
 * turn of the event loop, or while the previous statement ran, go out as one statement
 * (`claimForEndpoints`). A publish to four endpoints wakes four runs at once; they then cost one
 * round trip instead of four. The statement also records the attempt outcomes waiting in the
 * recorder (`recordAndClaim`), so under load a batch of finished attempts and the next claim
 * share one round trip; if it fails, those outcomes go back to the recorder's own write.
 */
import { Batcher, type Clock } from '../../core/index.ts';
import type { Db } from '../../db/index.ts';
import type { Recorder } from './recorder.ts';
import { recordAndClaim, type Claimed, type ClaimRequest } from './sql/claim.ts';

export class ClaimBatcher {
  readonly #batcher: Batcher<ClaimRequest, Claimed>;

  constructor(db: Db, clock: Clock, recorder: Pick<Recorder, 'carry'>) {
    this.#batcher = new Batcher(
      async (requests) => {
        const carried = recorder.carry();
        let claimed: Map<string, Claimed>;
        try {
          claimed = await recordAndClaim(db, clock.now(), carried?.items ?? [], requests);
        } catch (err) {
          carried?.giveBack();
          throw err;
        }
        carried?.resolve();
        return requests.map((r) => claimed.get(r.endpointId) ?? { deliveries: [], version: null });
      },
      { take: onePerEndpoint },
    );
  }

  /** Claims up to `request.max` due deliveries of one endpoint (one request per endpoint at a time). */
  claim(request: ClaimRequest): Promise<Claimed> {
    return this.#batcher.add(request);
  }
}

/** One request per endpoint and statement (a second one waits for the next). */
function onePerEndpoint(waiting: readonly ClaimRequest[], maxBatch: number): number[] {
  const seen = new Set<string>();
  const picked: number[] = [];
  for (const [i, request] of waiting.entries()) {
    if (picked.length >= maxBatch) break;
    if (seen.has(request.endpointId)) continue;
    seen.add(request.endpointId);
    picked.push(i);
  }
  return picked;
}
