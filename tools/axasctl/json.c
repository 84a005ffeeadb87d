// SPDX-License-Identifier: GPL-2.0
/*
 * The JSON emitter of axasctl --json (json.h).
 */
#include <stdio.h>

#include "json.h"

static bool first[JSON_MAX_DEPTH];
static int depth;

/* The separator before a member, and its key. */
static void member(const char *key)
{
	if (depth > 0 && !first[depth - 1])
		putchar(',');
	if (depth > 0)
		first[depth - 1] = false;
	if (key)
		printf("\"%s\":", key);
}

static void open_nest(const char *key, char c)
{
	member(key);
	putchar(c);
	if (depth < JSON_MAX_DEPTH)
		first[depth++] = true;
}

static void close_nest(char c)
{
	putchar(c);
	if (depth > 0)
		depth--;
	if (!depth)
		putchar('\n');
}

void json_obj_begin(const char *key)
{
	open_nest(key, '{');
}

void json_obj_end(void)
{
	close_nest('}');
}

void json_arr_begin(const char *key)
{
	open_nest(key, '[');
}

void json_arr_end(void)
{
	close_nest(']');
}

void json_u64(const char *key, uint64_t v)
{
	member(key);
	printf("%llu", (unsigned long long)v);
}

void json_hex(const char *key, uint64_t v)
{
	member(key);
	printf("\"0x%llx\"", (unsigned long long)v);
}

void json_bool(const char *key, bool v)
{
	member(key);
	fputs(v ? "true" : "false", stdout);
}

void json_str(const char *key, const char *s)
{
	const unsigned char *c;

	member(key);
	putchar('"');
	for (c = (const unsigned char *)s; *c; c++) {
		if (*c == '"' || *c == '\\')
			printf("\\%c", *c);
		else if (*c < 0x20 || *c == 0x7f)
			printf("\\u%04x", *c);
		else
			putchar(*c);
	}
	putchar('"');
}
