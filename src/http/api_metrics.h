/*
 * api_metrics.h - GET /metrics: the node's counters as Prometheus text
 * (nginx serves it on the operators' port only).
 */
#ifndef TICKETD_API_METRICS_H
#define TICKETD_API_METRICS_H

#include "http/context.h"

handler_fn api_metrics;

#endif
