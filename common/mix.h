/*
 * mix.h - splitmix64 (Steele, Lea and Flood 2014; Vigna's constants), the
 * one integer mixer and random stream of provex: seeded shuffles and
 * ranks (export), folds, orders and bootstrap draws (detect), MinHash
 * permutations (pairs), review sessions.  Everything that must come out
 * the same for the same seed on every machine and run uses these two, so
 * a change here changes stored ranks, folds and samples: don't.
 */
#ifndef PV_MIX_H
#define PV_MIX_H

#include <stdint.h>

#define PV_GOLDEN64 0x9e3779b97f4a7c15ULL     /* 2^64 / the golden ratio */

/* splitmix64's output function applied to x + PV_GOLDEN64: a hash of x
 * whose bits all depend on all of x's. */
static inline uint64_t pv_mix64(uint64_t x)
{
	x += PV_GOLDEN64;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* The next number of the stream whose state is *state (any value to
 * begin with; the state advances by PV_GOLDEN64). */
static inline uint64_t pv_rand64(uint64_t *state)
{
	uint64_t z = *state;

	*state += PV_GOLDEN64;
	return pv_mix64(z);
}

#endif
