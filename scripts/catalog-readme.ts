/**
 * `npm run docs:catalog`: writes the catalog table into README.md from the connector manifests.
 */
import fs from 'node:fs';
import { catalogMarkdown, listConnectors, loadRegistry, withCatalog } from '../src/connectors/index.ts';

await loadRegistry();
fs.writeFileSync('README.md', withCatalog(fs.readFileSync('README.md', 'utf8'), catalogMarkdown(listConnectors())));
process.stdout.write(`README.md: ${listConnectors().length} connectors\n`);
