/*
 * isobench-runtime: where a member's value lies in JSON text, without building it. The seccomp
 * profile is most of a config.json (Docker's: ≈ 7 KB of ≈ 10 KB) and libjansson takes ≈ 0.2 ms to
 * parse 10 KB here; the runtime only needs the profile's bytes to find its compiled filter in the
 * cache, so it parses the rest and leaves the profile as text (parsed only to compile it once).
 */
#ifndef ISOBENCH_JSONSPAN_H
#define ISOBENCH_JSONSPAN_H
#include <stdbool.h>
#include <stddef.h>

/* The span [*start, *end) of the value at text.k1 (k2 == NULL) or text.k1.k2, where text is a JSON
 * object. Keys are compared as written (a key spelled with escapes is not found). False when the
 * member is absent or the text is not well-formed JSON up to it. */
bool json_member_span(const char *text, size_t len, const char *k1, const char *k2, size_t *start, size_t *end);
#endif
