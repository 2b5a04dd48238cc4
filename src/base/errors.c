/*
 * errors.c - names of the project's error codes, for log lines.
 */
#include "config.h"

#include "base/errors.h"

const char *
td_strerror(int err)
{
	switch (err) {
	case TD_OK: return "ok";
	case TD_ERR_NOT_FOUND: return "not found";
	case TD_ERR_INVALID: return "invalid";
	case TD_ERR_TOO_LARGE: return "too large";
	case TD_ERR_UNAVAILABLE: return "unavailable";
	case TD_ERR_BUSY: return "busy";
	case TD_ERR_SERIALIZATION: return "serialization failure";
	case TD_ERR_CONFLICT: return "conflict";
	case TD_ERR_BAD_DATA: return "bad data";
	case TD_ERR_INTERNAL: return "internal";
	case TD_ERR_METHOD: return "method not allowed";
	case TD_ERR_FALLBACK: return "left to the general statement";
	case TD_ERR_NOT_WANTED: return "no longer wanted";
	default: return "unknown error";
	}
}
