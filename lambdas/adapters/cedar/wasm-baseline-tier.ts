import { setFlagsFromString } from 'node:v8';

// Cedar's 4.2 MB wasm module is compiled lazily, function by function, and V8 then re-optimises the
// hot ones with TurboFan. In a new container that optimising pass is most of the first request's
// Cedar cost (0.6–1.2 s of pre-parse and first decision measured here under load, ~0.2–0.3 s with
// Liftoff only), while a warm decision is about as fast either way (median 324 µs vs 379 µs). So
// wasm stays on V8's baseline tier. The flag must be set before the module is compiled, which is
// why `cedar-wasm.ts` imports this file first; NODE_OPTIONS does not accept it.
setFlagsFromString('--liftoff-only');
