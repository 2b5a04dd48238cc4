/*
 * txn_slots.c - a kill-safe counting semaphore shared by the workers.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <time.h>

#include "base/log.h"
#include "store/txn_slots.h"

/* glibc wants the caller to define it. */
union semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
};

int
txn_slots_create(int n)
{
	union semun arg = {.val = n};
	int id;

	id = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
	if (id < 0) {
		log_error("semget: %s", strerror(errno));
		return -1;
	}
	if (semctl(id, 0, SETVAL, arg) != 0) {
		log_error("semctl: %s", strerror(errno));
		semctl(id, 0, IPC_RMID);
		return -1;
	}
	return id;
}

int
txn_slots_acquire(int semid, int timeout_ms)
{
	struct sembuf op = {0, -1, SEM_UNDO};
	struct timespec ts = {
	    timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000};

	if (semid < 0) {
		return 0;
	}
	while (semtimedop(semid, &op, 1, &ts) != 0) {
		if (errno != EINTR) {
			return -1;
		}
	}
	return 0;
}

void
txn_slots_release(int semid)
{
	struct sembuf op = {0, 1, SEM_UNDO};

	if (semid >= 0) {
		semop(semid, &op, 1);
	}
}

void
txn_slots_destroy(int semid)
{
	if (semid >= 0) {
		semctl(semid, 0, IPC_RMID);
	}
}
