// Must run before Cedar's module is compiled (see the file).
import './wasm-baseline-tier';

// The nodejs build is the one that loads under Node (the bare and /web entry points fail); it reads
// cedar_wasm_bg.wasm from beside itself, which is why Lambda bundles get that file copied next to them.
export * as cedar from '@cedar-policy/cedar-wasm/nodejs';
export type { DetailedError } from '@cedar-policy/cedar-wasm/nodejs';
