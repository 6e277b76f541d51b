/**
 * The change feed: a connection's records in the order they last changed, each as ADDED, UPDATED
 * or DELETED, from a cursor.
 *
 * Feed numbers are taken when a transaction writes, but transactions commit in their own order:
 * a reader could see number 12 committed while 11 is still in flight, move its cursor past 11 and
 * never see it. So the feed orders by (writing transaction id, number) and returns only changes
 * of transactions older than the oldest one still in flight: everything below that line is
 * final, and anything that commits later sorts after every cursor handed out.
 *
 * "In flight" is read from the reader's own snapshot (`pg_snapshot_xip`), leaving out only
 * transactions known to belong to other databases of the server — a long transaction elsewhere
 * does not hold this feed back; one that cannot be placed is counted, to be safe. The same query
 * runs on PGlite, where nothing else is ever in flight.
 */
import { sql } from 'drizzle-orm';
import { rows, type Db } from '../../db/index.ts';
import type { Scope } from '../connections.ts';
import type { ChangeType } from '../schema.ts';

export interface Change {
  externalId: string;
  model: string;
  change: ChangeType;
  version: number;
  data: Record<string, unknown>;
  deletedAt: Date | null;
  firstSeenAt: Date;
  lastSeenAt: Date;
  providerUpdatedAt: Date | null;
}

export interface ChangePage {
  data: Change[];
  /** Where to read on from; it stays the same when nothing new was read. */
  cursor: string;
  hasMore: boolean;
}

interface Position {
  txid: string;
  seq: number;
}

const START: Position = { txid: '0', seq: 0 };

export class FeedCursorError extends Error {
  constructor() {
    super('is not a cursor this feed gave out');
    this.name = 'FeedCursorError';
  }
}

export function encodeFeedCursor(position: Position): string {
  return Buffer.from(`${position.txid}.${position.seq}`, 'utf8').toString('base64url');
}

export function decodeFeedCursor(cursor: string | undefined): Position {
  if (!cursor) return START;
  const match = /^(\d{1,20})\.(\d{1,19})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw new FeedCursorError();
  return { txid: match[1]!, seq: Number(match[2]) };
}

interface Row {
  external_id: string;
  model: string;
  last_change: ChangeType;
  version: number;
  data: Record<string, unknown>;
  deleted_at: Date | string | null;
  first_seen_at: Date | string;
  last_seen_at: Date | string;
  provider_updated_at: Date | string | null;
  txid: string;
  change_seq: number | string;
}

/** The oldest transaction id still in flight in this database (or the next to be assigned). */
const HORIZON = sql`with snap as materialized (select pg_current_snapshot() as s),
  elsewhere as (
    select backend_xid::text::bigint as x from pg_stat_activity
    where backend_xid is not null and datid is distinct from (select oid from pg_database where datname = current_database())
  )
  select coalesce(
    (select min(x) from snap, pg_snapshot_xip(snap.s) as x where (x::text::bigint % 4294967296) not in (select x from elsewhere)),
    (select pg_snapshot_xmax(s) from snap))`;

const date = (v: Date | string): Date => (v instanceof Date ? v : new Date(v));

export async function readChanges(
  db: Db,
  scope: Scope,
  query: { connectionId: string; model?: string | undefined; cursor?: string | undefined; limit: number },
): Promise<ChangePage> {
  const from = decodeFeedCursor(query.cursor);
  const found = await rows<Row>(
    db,
    sql`select external_id, model, last_change, version, data, deleted_at, first_seen_at, last_seen_at, provider_updated_at,
        change_txid::text as txid, change_seq
      from records
      where (environment_id || '/' || connection_id) = ${`${scope.environmentId}/${query.connectionId}`} and organization_id = ${scope.organizationId}
        ${query.model ? sql`and model = ${query.model}` : sql``}
        and (change_txid, change_seq) > (${from.txid}::xid8, ${from.seq}::bigint)
        and change_txid < (${HORIZON})
      order by change_txid, change_seq
      limit ${query.limit + 1}`,
  );
  const page = found.slice(0, query.limit);
  const last = page.at(-1);
  return {
    data: page.map((r) => ({
      externalId: r.external_id,
      model: r.model,
      change: r.last_change,
      version: r.version,
      data: r.data,
      deletedAt: r.deleted_at === null ? null : date(r.deleted_at),
      firstSeenAt: date(r.first_seen_at),
      lastSeenAt: date(r.last_seen_at),
      providerUpdatedAt: r.provider_updated_at === null ? null : date(r.provider_updated_at),
    })),
    cursor: last ? encodeFeedCursor({ txid: last.txid, seq: Number(last.change_seq) }) : encodeFeedCursor(from),
    hasMore: found.length > query.limit,
  };
}
