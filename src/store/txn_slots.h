/*
 * txn_slots.h - a cap on booking transactions in flight across all
 * workers, separate from the (many more) workers waiting on payments.
 *
 * A System V semaphore with SEM_UNDO: the kernel gives a slot back when
 * a worker holding one is killed, so kill -9 never leaks capacity.
 */
#ifndef TICKETD_TXN_SLOTS_H
#define TICKETD_TXN_SLOTS_H

/* Creates a semaphore with n slots.  Returns its id, or -1. */
int txn_slots_create(int n);

/* Takes a slot, waiting at most timeout_ms.  Returns 0, or -1 on timeout. */
int txn_slots_acquire(int semid, int timeout_ms);

void txn_slots_release(int semid);

void txn_slots_destroy(int semid);

#endif
