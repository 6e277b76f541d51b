/** Endpoint payload filters; the one implementation lives in core, shared with inbound sources. */
export { assertFilter, compileFilter, filterErrors, isAnchoredPrefix, type PayloadFilter } from '../../core/index.ts';
