/*
 * clock.c - monotonic time and sleeping.
 */
#include "config.h"

#include <errno.h>
#include <time.h>

#include "base/clock.h"

long long
clock_now_ms(void)
{
	return clock_now_us() / 1000;
}

long long
clock_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void
clock_sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
		continue;
	}
}
