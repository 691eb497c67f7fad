/**
 * Writes lambdas/domain/policy/confusables-table.ts, Unicode's confusables table as the identity
 * skeleton reads it, from the installed `unhomoglyph`. A unit test fails while the file is out of date.
 *
 *   npm run confusables
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { CONFUSABLES_FILE, renderConfusablesFile } from './confusables-file';

const text = renderConfusablesFile();
const unchanged = existsSync(CONFUSABLES_FILE) && readFileSync(CONFUSABLES_FILE, 'utf8') === text;
if (!unchanged) writeFileSync(CONFUSABLES_FILE, text);
console.log(`${relative(process.cwd(), CONFUSABLES_FILE)}: ${unchanged ? 'up to date' : 'written'}`);
