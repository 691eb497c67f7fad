import { setFlagsFromString } from 'node:v8';

// Cedar's 4.2 MB wasm module is compiled lazily, function by function, on V8's baseline tier
// (Liftoff); a function that keeps running is then re-compiled with TurboFan once it has used up its
// tiering budget. With V8's default budget that optimising pass lands on a new container's first
// request (0.6–1.2 s of pre-parse and first decision measured here under load, ~0.2–0.3 s on Liftoff
// alone). Liftoff alone, though, left warm decisions ~1.5× slower for the container's whole life.
// A budget 333× the default keeps the start on Liftoff (paired, 8 fresh Node 22 processes each:
// compiled set pre-parse + first decision 176 → 181 ms CPU, within noise) and still tiers up what
// a busy container runs: decide() 543 → 396 µs after 1,000 decisions, 510 → 327 µs after 5,000.
// The flags must be set before the module is compiled, which is why `cedar-wasm.ts` imports this
// file first; NODE_OPTIONS does not accept them.
setFlagsFromString('--wasm-tiering-budget=600000000');
// Functions are compiled lazily, on their first call, but V8 still validates every function body of
// the module when it is constructed: ~45 ms CPU of each new container's `require` for a module from
// the lock file whose code stepup calls only a fraction of. Lazily compiled functions are validated
// when compiled instead (about half of that cost gone, `npm run bench:coldstart`).
setFlagsFromString('--wasm-lazy-validation');
