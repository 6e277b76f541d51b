/**
 * `ctx.paginate`: one loop for the ways providers page their lists (cursor, offset, page number,
 * `Link` header, next URL in the body). Every page is checked before its items are handed out:
 * an error answer or a body that is not the shape declared stops the run, naming the page.
 */
import { pick, type Page, type PagePosition, type Pagination } from '../../connectors/index.ts';
import { ProviderHttpError, type ProviderHttpClient, type ProviderRequest, type ProviderResponse } from '../../proxy/index.ts';

/** A page could not be read: its answer was an error, or not the shape the connector declared. */
export class SyncPageError extends Error {
  constructor(
    readonly page: number,
    readonly code: 'malformed_page' | 'provider_error',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SyncPageError';
  }
}

const describe = (request: ProviderRequest, page: number): string => `page ${page} of ${request.method ?? 'GET'} ${request.path.split('?')[0]}`;

function itemsOf(body: unknown, path: string): unknown[] | string {
  if (typeof body === 'string') return 'the answer is not valid JSON';
  if (body === null || typeof body !== 'object') return `the answer is ${body === null ? 'empty' : typeof body}, not a JSON object`;
  const items = path === '' ? body : pick(body, path);
  if (!Array.isArray(items)) return `expected a list at \`${path || '(body)'}\`, found ${items === undefined ? 'nothing' : typeof items}`;
  return items;
}

function nextLink(header: string | undefined): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(',')) {
    const match = /<([^>]+)>\s*;\s*rel="?([^";]+)"?/.exec(part);
    if (match && match[2]!.split(/\s+/).includes('next')) return match[1];
  }
  return undefined;
}

function withPosition(request: ProviderRequest, options: Pagination, position: PagePosition | undefined): ProviderRequest {
  switch (options.type) {
    case 'cursor':
      if (position === undefined) return request;
      if (options.in === 'body') return { ...request, body: { ...((request.body as Record<string, unknown>) ?? {}), [options.cursorParam]: position } };
      return { ...request, query: { ...request.query, [options.cursorParam]: position } };
    case 'last-id':
      return position === undefined ? request : { ...request, query: { ...request.query, [options.param]: position } };
    case 'offset':
      return { ...request, query: { ...request.query, [options.offsetParam]: position ?? 0, [options.limitParam]: options.limit } };
    case 'page':
      return { ...request, query: { ...request.query, [options.pageParam]: position ?? options.first ?? 1, [options.limitParam]: options.limit } };
    case 'link':
    case 'next-url':
      // The next URL carries every parameter already.
      return position === undefined ? request : { ...request, path: String(position), query: {} };
  }
}

function nextPosition(options: Pagination, response: ProviderResponse, items: unknown[], position: PagePosition | undefined): PagePosition | undefined {
  switch (options.type) {
    case 'cursor': {
      const next = pick(response.body, options.cursorPath);
      return typeof next === 'string' || typeof next === 'number' ? (next === '' ? undefined : next) : undefined;
    }
    case 'last-id': {
      const last = items.at(-1);
      const id = last && typeof last === 'object' ? (last as Record<string, unknown>)[options.idField] : undefined;
      return pick(response.body, options.morePath) === true && (typeof id === 'string' || typeof id === 'number') ? id : undefined;
    }
    case 'offset': {
      const more = options.morePath === undefined ? items.length >= options.limit : pick(response.body, options.morePath) === true;
      return more && items.length > 0 ? Number(position ?? 0) + items.length : undefined;
    }
    case 'page':
      return items.length >= options.limit ? Number(position ?? options.first ?? 1) + 1 : undefined;
    case 'link':
      return nextLink(response.headers.link);
    case 'next-url': {
      const next = pick(response.body, options.nextPath);
      return typeof next === 'string' && next !== '' ? next : undefined;
    }
  }
}

export interface PaginateHooks {
  /** Called before each page's items are handed out, with the page's number in the run. */
  onPage(): number;
  signal?: AbortSignal;
}

export async function* paginate<T>(http: ProviderHttpClient, request: ProviderRequest, options: Pagination, hooks: PaginateHooks): AsyncGenerator<Page<T>> {
  let position = options.start;
  for (let number = 1; ; number++) {
    const runPage = hooks.onPage();
    const response = await http.request({ ...withPosition(request, options, position), ...(hooks.signal ? { signal: hooks.signal } : {}) });
    if (response.status < 200 || response.status > 299) {
      throw new SyncPageError(runPage, 'provider_error', `${describe(request, runPage)} answered HTTP ${response.status}`, { cause: new ProviderHttpError(response) });
    }
    const items = itemsOf(response.body, options.results);
    if (typeof items === 'string') throw new SyncPageError(runPage, 'malformed_page', `${describe(request, runPage)} is malformed: ${items}`);
    const next = nextPosition(options, response, items, position);
    yield { items: items as T[], number, next };
    if (next === undefined || next === position) return;
    position = next;
  }
}
