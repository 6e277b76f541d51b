import type { PGlite, PGliteOptions } from '@electric-sql/pglite';
import { NodeFS } from '@electric-sql/pglite/nodefs';

export declare const PGLITE_SERIALIZERS: NonNullable<PGliteOptions['serializers']>;
export declare class OwnerOnlyNodeFS extends NodeFS {}
export declare function createPglite(dir: string, options: { postgresqlconf: string[] | string; loadDataDir?: Blob | File | undefined }): Promise<PGlite>;
