/*
 * api_health.h - GET /health: does this worker's database answer?
 */
#ifndef TICKETD_API_HEALTH_H
#define TICKETD_API_HEALTH_H

#include "http/context.h"

handler_fn api_health;

#endif
