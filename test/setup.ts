// setup.ts — one fast-check seed for the whole run, so CI is reproducible;
// set FC_SEED to explore other seeds (npm run fuzz explores far more).
import fc from 'fast-check';

fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 20261130) });
