import { setFlagsFromString } from 'node:v8';

// Cedar's 4.2 MB wasm module is compiled lazily, function by function, and V8 then re-optimises the
// hot ones with TurboFan. In a new container that optimising pass is most of the first request's
// Cedar cost (0.6–1.2 s of pre-parse and first decision measured here under load, ~0.2–0.3 s with
// Liftoff only), while a warm decision is about as fast either way (median 324 µs vs 379 µs). So
// wasm stays on V8's baseline tier. The flags must be set before the module is compiled, which is
// why `cedar-wasm.ts` imports this file first; NODE_OPTIONS does not accept them.
setFlagsFromString('--liftoff-only');
// Functions are compiled lazily, on their first call, but V8 still validates every function body of
// the module when it is constructed: ~45 ms CPU of each new container's `require` for a module from
// the lock file whose code stepup calls only a fraction of. Lazily compiled functions are validated
// when compiled instead (about half of that cost gone, `npm run bench:coldstart`).
setFlagsFromString('--wasm-lazy-validation');
