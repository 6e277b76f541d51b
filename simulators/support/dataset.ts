/**
 * A simulator's records of one kind (contacts, charges…): enough of them to make paging real,
 * with modification times spread over the past year, and test controls that change, add and
 * delete records the way an account's users would — so incremental syncs have something to find.
 */

export interface DatasetOptions<T> {
  count: number;
  /** Record number `i` (1-based), last modified at `modifiedMs`. */
  make(i: number, modifiedMs: number): T;
  id(record: T): string;
  modifiedMs(record: T): number;
  /** A copy of `record` with its content changed (edit number `n`) and modified at `modifiedMs`. */
  edit(record: T, n: number, modifiedMs: number): T;
  /** Days the initial modification times spread over, ending now. Default 365. */
  spanDays?: number;
}

export interface Dataset<T> {
  /** Live records, oldest modification first. */
  all(): readonly T[];
  /** Ids of live records in order (numbers compared as numbers): the order list endpoints page in. */
  ids(): readonly string[];
  get(id: string): T | undefined;
  /** Changes records (these ids, or the `n` first) as a user would; returns them. */
  touch(which: number | readonly string[]): T[];
  /** Applies a change (a provider write); returns the record, or undefined if there is none. */
  update(id: string, change: (record: T, modifiedMs: number) => T): T | undefined;
  /** Adds `n` new records. */
  add(n: number): T[];
  /** Deletes records (these ids, or the `n` last); they show in `removed()`. */
  remove(which: number | readonly string[]): string[];
  /** Deleted records, with when. */
  removed(): readonly { id: string; record: T; atMs: number }[];
  readonly size: number;
}

export function createDataset<T>(options: DatasetOptions<T>): Dataset<T> {
  const spanMs = (options.spanDays ?? 365) * 86_400_000;
  const start = Date.now();
  const step = Math.max(1, Math.floor(spanMs / Math.max(1, options.count)));
  const byId = new Map<string, T>();
  let order: T[] = [];
  let idOrder: string[] = [];
  let dirty = false;
  let idDirty = false;
  let last = 0;
  let made = 0;
  let edits = 0;
  const removedLog: { id: string; record: T; atMs: number }[] = [];

  /** A modification time later than every earlier one, never before the wall clock. */
  const stamp = (): number => (last = Math.max(last + 1, Date.now()));

  const put = (record: T): void => {
    if (!byId.has(options.id(record))) idDirty = true;
    byId.set(options.id(record), record);
    dirty = true;
  };
  for (let i = 1; i <= options.count; i++) {
    const modified = start - spanMs + i * step;
    last = Math.max(last, modified);
    put(options.make(++made, modified));
  }

  const pick = (which: number | readonly string[], fromEnd: boolean): string[] => {
    if (typeof which !== 'number') return which.filter((id) => byId.has(id));
    const ids = [...byId.keys()];
    return fromEnd ? ids.slice(-which) : ids.slice(0, which);
  };

  const dataset: Dataset<T> = {
    all() {
      if (dirty) {
        order = [...byId.values()].sort((a, b) => options.modifiedMs(a) - options.modifiedMs(b) || (options.id(a) < options.id(b) ? -1 : 1));
        dirty = false;
      }
      return order;
    },
    ids() {
      if (idDirty) {
        idOrder = [...byId.keys()].sort(compareIds);
        idDirty = false;
      }
      return idOrder;
    },
    get: (id) => byId.get(id),
    touch(which) {
      return pick(which, false).map((id) => {
        const next = options.edit(byId.get(id)!, ++edits, stamp());
        put(next);
        return next;
      });
    },
    update(id, change) {
      const current = byId.get(id);
      if (!current) return undefined;
      const next = change(current, stamp());
      put(next);
      return next;
    },
    add(n) {
      return Array.from({ length: n }, () => {
        const record = options.make(++made, stamp());
        put(record);
        return record;
      });
    },
    remove(which) {
      const ids = pick(which, true);
      for (const id of ids) {
        removedLog.push({ id, record: byId.get(id)!, atMs: stamp() });
        byId.delete(id);
        idDirty = true;
      }
      dirty = true;
      return ids;
    },
    removed: () => removedLog,
    get size() {
      return byId.size;
    },
  };
  return dataset;
}

function compareIds(a: string, b: string): number {
  const na = Number(a.replace(/\D/g, ''));
  const nb = Number(b.replace(/\D/g, ''));
  if (a.replace(/\d/g, '') === b.replace(/\d/g, '') && Number.isFinite(na) && Number.isFinite(nb) && na !== nb) return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A page of records in id order after `afterId` (exclusive): stable however records change
 * between pages, the way providers page by id.
 */
export function pageById<T>(dataset: Dataset<T>, afterId: string | null | undefined, limit: number): { page: T[]; next: string | undefined } {
  const ids = dataset.ids();
  let start = 0;
  if (afterId) {
    let lo = 0;
    let hi = ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareIds(ids[mid]!, afterId) <= 0) lo = mid + 1;
      else hi = mid;
    }
    start = lo;
  }
  const slice = ids.slice(start, start + limit);
  const page = slice.map((id) => dataset.get(id)!);
  return { page, next: start + limit < ids.length ? slice.at(-1) : undefined };
}

/** Records modified at or after `sinceMs` (and before `untilMs`), oldest first, from `all()`. */
export function modifiedBetween<T>(dataset: Dataset<T>, modifiedMs: (r: T) => number, sinceMs?: number, untilMs?: number, inclusive = true): T[] {
  const all = dataset.all();
  if (sinceMs === undefined && untilMs === undefined) return [...all];
  return all.filter((r) => {
    const m = modifiedMs(r);
    if (sinceMs !== undefined && (inclusive ? m < sinceMs : m <= sinceMs)) return false;
    return untilMs === undefined || m < untilMs;
  });
}

/** ISO 8601 with milliseconds. */
export const iso = (ms: number): string => new Date(ms).toISOString();
