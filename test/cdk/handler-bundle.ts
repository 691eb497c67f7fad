import { buildSync, type Metafile } from 'esbuild';
import { esbuildBuildOptions, handlerBundling } from '../../lib/step-up-function';

/**
 * Builds `handlerFile`'s bundle into `outdir` exactly as the construct builds it (house options, the
 * handler's own stubs) and answers esbuild's metafile of it.
 */
export function buildHandlerBundle(handlerFile: string, outdir: string): Metafile {
  const { metafile } = buildSync({
    ...esbuildBuildOptions(handlerFile, handlerBundling(handlerFile), outdir),
    metafile: true,
  });
  return metafile;
}
