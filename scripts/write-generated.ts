import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';

/**
 * Writes a generated file unless it already holds `text`, and says which (a unit test fails while
 * such a file is out of date, so rewriting an unchanged one would only touch its timestamp).
 */
export function writeGenerated(file: string, text: string): void {
  const unchanged = existsSync(file) && readFileSync(file, 'utf8') === text;
  if (!unchanged) writeFileSync(file, text);
  console.log(`${relative(process.cwd(), file)}: ${unchanged ? 'up to date' : 'written'}`);
}
