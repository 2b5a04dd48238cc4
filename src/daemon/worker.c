/*
 * worker.c - one prefork worker: accept, serve, repeat.
 *
 * SIGTERM only sets a flag and tells libfcgi to stop: installed without
 * SA_RESTART so an idle worker's accept(2) returns, and blocked while a
 * request is served so the request in hand always completes.  With an
 * accept gate (base/accept_gate.h) an idle worker sleeps there until its
 * turn to accept; SIGTERM's handler wakes that sleep too.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "base/accept_gate.h"
#include "base/clock.h"
#include "base/errors.h"
#include "base/log.h"
#include "base/metrics.h"
#include "base/periodic.h"
#include "base/readiness.h"
#include "daemon/soldout_bind.h"
#include "daemon/worker.h"
#include "http/router.h"
#include "store/account_mail_store.h"
#include "store/account_store.h"
#include "store/booking_store.h"
#include "store/checkin_store.h"
#include "store/concert_admin_store.h"
#include "store/concert_store.h"
#include "store/db.h"
#include "store/statements.h"
#include "store/warm_up.h"
#include "store/writer_link.h"

/* The longest a worker waits for the booking writer's answer. */
#define WRITER_WAIT_MAX_MS 10000

static volatile sig_atomic_t stopping;

/* This worker's place at its pool's accept gate, if the pool has one. */
static struct accept_gate *gate;
static int gate_slot;

static void
on_term(int sig)
{
	int saved = errno;

	stopping = 1;
	FCGX_ShutdownPending();
	if (gate != NULL) {
		/* Asleep at the gate, or about to be: look at stopping. */
		accept_gate_wake(gate, gate_slot);
	}
	errno = saved;
}

static const char *
fcgi_param(void *ctx, const char *name)
{
	return FCGX_GetParam(name, ((FCGX_Request *)ctx)->envp);
}

static int
fcgi_read(void *ctx, char *buf, int n)
{
	return FCGX_GetStr(buf, n, ((FCGX_Request *)ctx)->in);
}

static int
fcgi_write(void *ctx, const char *buf, size_t n)
{
	return FCGX_PutStr(buf, (int)n, ctx) == (int)n ? 0 : -1;
}

static void
serve_one(struct api_context *ctx, size_t max_body, FCGX_Request *fr)
{
	long long start = clock_now_us();
	int route = ROUTE_COUNT;
	struct request req;
	struct response res;
	char head[512];
	const char *body;
	size_t hlen, blen;

	request_init(&req, fcgi_param, fr);
	response_init(&res);
	if (request_read_body(&req, fcgi_param(fr, "CONTENT_LENGTH"), max_body,
	        fcgi_read, fr, &res) == 0) {
		route = router_dispatch(ctx, &req, &res);
	}

	hlen = response_format_head(&res, head, sizeof(head));
	body = response_body(&res, &blen);
	FCGX_PutStr(head, (int)hlen, fr->out);
	if (strcmp(req.method, "HEAD") != 0 && res.stream != NULL) {
		struct response_sink sink = {fr->out, fcgi_write};

		res.stream(res.stream_arg, &sink);
	} else if (strcmp(req.method, "HEAD") != 0) {
		FCGX_PutStr(body, (int)blen, fr->out);
	}

	metrics_request(route, res.status, clock_now_us() - start);
	response_free(&res);
	request_free(&req);
}

static void
on_reopen(int sig)
{
	log_reopen_request();
}

static void
install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: accept(2) must return */
	sigaction(SIGTERM, &sa, NULL);
	/* The master forwards logrotate's SIGUSR1: reopen at the next record.
	 * SA_RESTART: accept(2) need not wake for it. */
	sa.sa_handler = on_reopen;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR1, &sa, NULL);

	/* Ctrl-C reaches the whole process group; the master drains us. */
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGCHLD, SIG_DFL);
}

/* The booking flow's payment, bound to the gate: it does not count
 * against the pool's cap while it waits. */
static void
outside_away(void *ctx)
{
	accept_gate_away(gate, gate_slot);
}

static void
outside_back(void *ctx)
{
	accept_gate_back(gate, gate_slot);
}

static const struct outside_port gate_outside = {
    NULL, outside_away, outside_back};

/* The worker's database handles and the API's context over them. */
static void
context_init(struct api_context *ctx, const struct settings *cfg,
    enum pool_kind pool, const struct worker_shared *shared)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->pool = pool;
	ctx->pool_sizes[POOL_READ] = cfg->read_workers;
	ctx->pool_sizes[POOL_BOOK] = cfg->book_workers;
	ctx->gates[POOL_READ] = shared->gate[POOL_READ];
	ctx->gates[POOL_BOOK] = shared->gate[POOL_BOOK];
	ctx->readiness = shared->readiness;
	ctx->gateway_log_dir = cfg->gateway_log_dir;
	ctx->payment = &cfg->payment;
	ctx->has_site = *cfg->public_origin != '\0' &&
	                csrf_site_parse(cfg->public_origin, &ctx->site) == 0;
	ctx->store.txn_semid = shared->txn_semid;
	ctx->store.slot_wait_ms = cfg->slot_wait_ms;
	/* The listing's summary counts within two refreshes, 2 s at least. */
	ctx->store.totals_window_ms =
	    cfg->listing_totals_ms > 0
	        ? 2 * (cfg->listing_totals_ms > 1000 ? cfg->listing_totals_ms
	                                             : 1000)
	        : 0;
	ctx->hash_semid = shared->hash_semid;
	ctx->ticket_keys = shared->ticket_keys;
	ctx->store.primary = db_new(&cfg->db, cfg->database_url,
	    pool == POOL_READ ? "ticketd-read" : "ticketd-book", statements,
	    Q_COUNT);
	/* A database still down is retried per request. */
	(void)db_connect(ctx->store.primary);
	if (pool == POOL_READ && *cfg->database_read_url != '\0') {
		/* A worker has one context for its life: its settings too. */
		static struct db_settings replica_db;

		replica_db = cfg->db;
		replica_db.prepared = cfg->read_prepared;
		ctx->store.replica = db_new(&replica_db, cfg->database_read_url,
		    "ticketd-replica", statements, Q_COUNT);
		(void)db_connect(ctx->store.replica);
	}
	if (pool == POOL_BOOK && shared->writer_master != 0) {
		/* Its answer may wait for a statement of every tier in line. */
		int wait_ms = cfg->db.statement_timeout_ms > 0
		                  ? 2 * cfg->db.statement_timeout_ms + 1000
		                  : WRITER_WAIT_MAX_MS;

		ctx->store.writer =
		    writer_link_new(shared->writer_master, shared->writer_nonce,
		        wait_ms < WRITER_WAIT_MAX_MS ? wait_ms
		                                     : WRITER_WAIT_MAX_MS);
	}
	booking_store_bind(&ctx->store, &ctx->bookings);
	if (gate != NULL) {
		ctx->bookings.outside = &gate_outside;
	}
	account_store_bind(&ctx->store, &ctx->accounts);
	account_mail_store_bind(&ctx->store, &ctx->account_mail);
	if (shared->ticket_keys != NULL) {
		link_token_key(shared->ticket_keys->sk, ctx->link_key);
		ctx->has_link_key = true;
	}
	concert_admin_store_bind(&ctx->concerts, &ctx->store);
	checkin_store_bind(&ctx->store, &ctx->checkins);
	if (shared->sold_out != NULL) {
		soldout_bind(shared->sold_out, &ctx->sold_out);
		ctx->bookings.sold_out = &ctx->sold_out;
		ctx->concerts.sold_out = &ctx->sold_out;
	}
}

/*
 * Refreshes the home page's per-concert totals, claimed when they are due
 * by whichever worker of any pool finishes a request first after that
 * (base/periodic.h), over the primary connection it already holds: a site
 * with traffic keeps them fresh, an idle one needs none (the listing sums
 * the buckets when they are old).  A failure costs only freshness; the
 * first of a run is logged, the rest at debug.
 */
static void
refresh_listing_totals(struct api_context *ctx, int interval_ms)
{
	static bool failing;
	int changed, err;

	/* Several nodes claim a refresh each: the summary needs one. */
	err = concert_store_refresh_totals(
	    &ctx->store, interval_ms / 2, &changed);
	if (err == 0) {
		log_debug("listing totals refreshed: %d changed", changed);
		failing = false;
		return;
	}
	if (failing) {
		log_debug("listing totals not refreshed: %s", td_strerror(err));
		return;
	}
	failing = true;
	log_info("listing totals not refreshed: %s (SQLSTATE %s); the listing "
	         "sums the buckets meanwhile",
	    td_strerror(err), db_sqlstate(ctx->store.primary));
}

void
worker_run(const struct settings *cfg, enum pool_kind pool, int slot,
    int listen_fd, const struct worker_shared *shared)
{
	enum gate_turn turn;
	struct api_context ctx;
	FCGX_Request fr;
	sigset_t term;
	bool chore;
	pid_t parent = getppid();

	install_signals();
	/* The master's mask blocked signals around fork(); start clean. */
	sigemptyset(&term);
	sigprocmask(SIG_SETMASK, &term, NULL);
	sigaddset(&term, SIGTERM);

	/* If the master dies, finish up instead of serving unsupervised. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent) {
		exit(0);
	}

	log_init(cfg->log_level, pool_name(pool));
	if (pool == POOL_BOOK) {
		metrics_set_book_slot(slot);
	}
	gate_slot = slot;
	gate = shared->gate[pool];
	context_init(&ctx, cfg, pool, shared);
	if (pool == POOL_BOOK) {
		warm_up_bookings(&ctx.store);
	} else {
		warm_up_reads(&ctx.store);
	}
	/* Connected and warm, or found the database down: either way it
	 * serves. */
	if (shared->readiness != NULL) {
		readiness_started(shared->readiness, pool, slot);
	}

	FCGX_InitRequest(&fr, listen_fd, FCGI_FAIL_ACCEPT_ON_INTR);
	turn = gate != NULL ? accept_gate_done(gate, slot) : GATE_LEAD;
	while (!stopping) {
		if (turn == GATE_WAIT &&
		    accept_gate_await(gate, slot, &stopping) != 0) {
			break;
		}
		if (FCGX_Accept_r(&fr) < 0) {
			break;
		}
		sigprocmask(SIG_BLOCK, &term, NULL);
		if (gate != NULL) {
			accept_gate_accepted(gate, slot);
		}
		metrics_set_busy(pool, slot, 1);
		serve_one(&ctx, (size_t)cfg->max_body, &fr);
		/*
		 * Back at the gate before the answer is out, so that the
		 * client's next request finds this worker on top; one with the
		 * chore to do goes back after it.
		 */
		chore = shared->listing_totals != NULL &&
		        periodic_claim(shared->listing_totals, clock_now_ms());
		if (!chore && gate != NULL) {
			turn = accept_gate_done(gate, slot);
		}
		FCGX_Finish_r(&fr);
		if (chore) {
			/* The answer is out: the chore delays no one's
			 * request, nor holds a place under the cap. */
			if (gate != NULL) {
				accept_gate_away(gate, slot);
			}
			refresh_listing_totals(&ctx, cfg->listing_totals_ms);
			if (gate != NULL) {
				accept_gate_back(gate, slot);
				turn = accept_gate_done(gate, slot);
			}
		}
		metrics_set_busy(pool, slot, 0);
		sigprocmask(SIG_UNBLOCK, &term, NULL);
	}

	FCGX_Free(&fr, 0);
	writer_link_free(ctx.store.writer);
	db_free(ctx.store.replica);
	db_free(ctx.store.primary);
	log_debug("worker exits");
	exit(0);
}
