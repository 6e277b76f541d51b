import type { FastifyInstance } from 'fastify';
import type { Vault } from '../../credentials/index.ts';
import type { Ingestor } from '../../webhooks/inbound/index.ts';

/** What the inbound routes need beyond `app.deps`: the hub hands it over when it installs the module. */
export interface InboundRuntime {
  vault: Vault;
  ingestor: Ingestor;
}

export type InboundRuntimeOf = (app: FastifyInstance) => InboundRuntime;
