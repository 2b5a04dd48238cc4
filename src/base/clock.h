/*
 * clock.h - monotonic time and sleeping, for timeouts, backoff and latency.
 */
#ifndef TICKETD_CLOCK_H
#define TICKETD_CLOCK_H

/* Milliseconds and microseconds on the monotonic clock. */
long long clock_now_ms(void);
long long clock_now_us(void);

/* Sleeps ms milliseconds, resuming after a signal interrupts it. */
void clock_sleep_ms(int ms);

#endif
