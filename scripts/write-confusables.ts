/**
 * Writes lambdas/domain/policy/confusables-table.ts, Unicode's confusables table as the identity
 * skeleton reads it, from the installed `unhomoglyph`. A unit test fails while the file is out of date.
 *
 *   npm run confusables
 */
import { CONFUSABLES_FILE, renderConfusablesFile } from './confusables-file';
import { writeGenerated } from './write-generated';

writeGenerated(CONFUSABLES_FILE, renderConfusablesFile());
