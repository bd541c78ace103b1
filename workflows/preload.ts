/**
 * Evaluated once per workflow thread, before any workflow, and shared by all of them (workers/bundle.ts lists it
 * in the SDK's `preloadModules`): zod, whose hundreds of classes every workflow would otherwise evaluate again in
 * its own module cache when it starts or is replayed. Pure library code, no per-workflow state.
 *
 * The SDK freezes what preloaded modules have put on the global object and in their exports once they have run.
 * zod sets some of it lazily — its default English messages and memoizer in its global config at the first
 * schema built, whether `new Function` may be used (its fast object parser) at the first object schema — so one
 * schema is built and parsed here, while those can still be set.
 */
import { z } from 'zod';

const probe = z.object({ text: z.string(), count: z.number().int().min(0) });

export const zodReady: boolean =
  z.util.allowsEval.value !== undefined && probe.safeParse({ text: 'a', count: 1 }).success && !probe.safeParse({ count: -1 }).success;
