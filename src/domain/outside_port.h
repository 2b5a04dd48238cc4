/*
 * outside_port.h - what the booking flow tells its process around a wait
 * on something outside that takes no CPU here (the payment provider):
 * the daemon lets another request in meanwhile (base/accept_gate.h,
 * bound in daemon/worker.c).  A flow whose port is NULL tells no one.
 */
#ifndef TICKETD_OUTSIDE_PORT_H
#define TICKETD_OUTSIDE_PORT_H

struct outside_port {
	void *ctx;
	void (*away)(void *ctx); /* before the wait */
	void (*back)(void *ctx); /* after it */
};

#endif
