/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small JSON emitter for axasctl --json: one object per line (JSON
 * Lines) on stdout, written as it goes. Keys are the caller's (plain ASCII,
 * never escaped); strings are escaped. Objects and arrays nest up to
 * JSON_MAX_DEPTH.
 */
#ifndef AXASCTL_JSON_H
#define AXASCTL_JSON_H

#include <stdbool.h>
#include <stdint.h>

#define JSON_MAX_DEPTH	8

/* Opens the line's top-level object, or an object in the open array. */
void json_obj_begin(const char *key);
/* Closes the innermost object; the top-level one ends the line. */
void json_obj_end(void);
/* Opens an array under key (NULL inside an array). */
void json_arr_begin(const char *key);
void json_arr_end(void);

/* Members: key may be NULL for an array element. */
void json_u64(const char *key, uint64_t v);
void json_hex(const char *key, uint64_t v);	/* "0x1f" */
void json_str(const char *key, const char *s);
void json_bool(const char *key, bool v);

#endif /* AXASCTL_JSON_H */
