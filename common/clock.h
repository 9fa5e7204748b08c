/*
 * clock.h - the monotonic clock, for durations and progress (never for
 * dates: those come from SQLite's strftime or time()).
 */
#ifndef PV_CLOCK_H
#define PV_CLOCK_H

#include <stdint.h>
#include <time.h>

/* Seconds since an arbitrary start, monotonic. */
static inline double pv_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The same in whole milliseconds. */
static inline int64_t pv_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#endif
