/*
 * trivial_fcgi.c - the "nginx -> FastCGI" ceiling of the benchmark.
 *
 * The least a libfcgi prefork responder can do: the same process model as
 * ticketd (a master opens one unix socket with a deep backlog and forks N
 * workers, each in an FCGX_Accept_r loop serving one connection at a time),
 * but every request is answered with a fixed JSON body of about the size of
 * an availability answer, with no database behind it.
 *
 *   cc -O2 -o trivial_fcgi trivial_fcgi.c -lfcgi
 *   trivial_fcgi SOCKET_PATH WORKERS MAX_SECONDS
 *
 * It stops by itself after MAX_SECONDS (the benchmark never leaves it
 * behind), on SIGTERM/SIGINT, and its workers die with the master.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcgiapp.h>

static const char body[] =
    "{\"success\":true,\"data\":{\"concertId\":\"concert_0000000000\","
    "\"tiers\":[{\"id\":\"concert_0000000000_ga\",\"tierName\":\"GA\","
    "\"price\":10.00,\"totalQuantity\":1000000,\"availableQuantity\":999999}]}"
    "}";

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void
serve(int sock)
{
	FCGX_Request req;
	char head[256];
	int hlen;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGALRM, SIG_DFL);
	if (FCGX_InitRequest(&req, sock, 0) != 0) {
		_exit(1);
	}
	hlen = snprintf(head, sizeof(head),
	    "Status: 200 OK\r\n"
	    "Content-Type: application/json; charset=utf-8\r\n"
	    "Cache-Control: no-store\r\n"
	    "Content-Length: %zu\r\n\r\n",
	    sizeof(body) - 1);
	while (FCGX_Accept_r(&req) >= 0) {
		FCGX_PutStr(head, hlen, req.out);
		FCGX_PutStr(body, (int)sizeof(body) - 1, req.out);
		FCGX_Finish_r(&req);
	}
	_exit(0);
}

int
main(int argc, char **argv)
{
	struct sigaction sa;
	int sock, n, secs;
	pid_t *pids;

	if (argc != 4) {
		fprintf(stderr, "usage: %s SOCKET_PATH WORKERS MAX_SECONDS\n",
		    argv[0]);
		return 2;
	}
	n = atoi(argv[2]);
	secs = atoi(argv[3]);
	if (n < 1 || n > 1024 || secs < 1) {
		fprintf(
		    stderr, "%s: WORKERS 1..1024, MAX_SECONDS >= 1\n", argv[0]);
		return 2;
	}
	if (FCGX_Init() != 0) {
		return 1;
	}
	/* A full unix-socket accept queue is an immediate 502: keep it deep. */
	sock = FCGX_OpenSocket(argv[1], 1024);
	if (sock < 0) {
		fprintf(stderr, "%s: cannot listen on %s\n", argv[0], argv[1]);
		return 1;
	}
	pids = calloc((size_t)n, sizeof(*pids));
	if (pids == NULL) {
		return 1;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler =
	    on_signal; /* no SA_RESTART: wait() returns on a signal */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);

	for (int i = 0; i < n; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			serve(sock);
		}
		if (pids[i] < 0) {
			perror("fork");
			stop = 1;
			break;
		}
	}
	alarm((unsigned)secs);
	while (!stop) {
		if (wait(NULL) < 0 && errno == ECHILD) {
			break;
		}
	}
	for (int i = 0; i < n; i++) {
		if (pids[i] > 0) {
			kill(pids[i], SIGKILL);
		}
	}
	while (wait(NULL) > 0 || errno == EINTR) {
	}
	unlink(argv[1]);
	return 0;
}
