/**
 * `npm run gen:api`: builds the hub in this process, reads its OpenAPI document and writes the
 * dashboard's typed client files (see api-files.ts). test/web/api-client.test.ts fails when the
 * checked-in files are out of step with the live document.
 */
import fs from 'node:fs';
import { liveOpenApiDocument } from './openapi-document.ts';
import { DOCUMENT_FILE, SCHEMA_FILE, renderApiFiles } from './api-files.ts';

const files = await renderApiFiles(await liveOpenApiDocument());
fs.writeFileSync(DOCUMENT_FILE, files.document);
fs.writeFileSync(SCHEMA_FILE, files.schema);
process.stdout.write(`wrote ${DOCUMENT_FILE} and ${SCHEMA_FILE}\n`);
