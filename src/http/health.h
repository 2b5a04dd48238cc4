/*
 * health.h - GET /health: is this worker's database connection alive?
 */
#ifndef TICKETD_HEALTH_H
#define TICKETD_HEALTH_H

#include "http/app.h"

handler_fn health_check;

#endif
