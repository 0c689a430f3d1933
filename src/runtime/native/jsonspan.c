/* isobench-runtime: locating a member's value in JSON text (see jsonspan.h). */
#include "jsonspan.h"
#include <string.h>

static const char *ws(const char *p, const char *e) {
  while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) p++;
  return p;
}

/* p at '"': just after the closing quote, or NULL. */
static const char *str(const char *p, const char *e) {
  for (p++; p < e; p++) {
    if (*p == '\\') {
      if (++p >= e) return NULL;
    } else if (*p == '"') {
      return p + 1;
    } else if ((unsigned char)*p < 0x20) {
      return NULL;
    }
  }
  return NULL;
}

static const char *value(const char *p, const char *e, int depth);

/* p at '{' or '[': just after the matching close, or NULL. */
static const char *container(const char *p, const char *e, int depth) {
  char close = *p == '{' ? '}' : ']';
  bool object = *p == '{';
  if (depth > 512) return NULL;
  p = ws(p + 1, e);
  if (p < e && *p == close) return p + 1;
  for (;;) {
    if (object) {
      if (p >= e || *p != '"' || !(p = str(p, e))) return NULL;
      p = ws(p, e);
      if (p >= e || *p != ':') return NULL;
      p = ws(p + 1, e);
    }
    if (!(p = value(p, e, depth + 1))) return NULL;
    p = ws(p, e);
    if (p < e && *p == ',') {
      p = ws(p + 1, e);
      continue;
    }
    return p < e && *p == close ? p + 1 : NULL;
  }
}

static const char *value(const char *p, const char *e, int depth) {
  if (p >= e) return NULL;
  if (*p == '"') return str(p, e);
  if (*p == '{' || *p == '[') return container(p, e, depth);
  const char *s = p;
  while (p < e && !strchr(",}] \t\r\n", *p)) p++;
  return p > s ? p : NULL;
}

/* In the object at p, the value of key: its span; false if absent or malformed. */
static bool member(const char *p, const char *e, const char *key, const char **vs, const char **ve) {
  p = ws(p, e);
  if (p >= e || *p != '{') return false;
  p = ws(p + 1, e);
  if (p < e && *p == '}') return false;
  size_t kl = strlen(key);
  for (;;) {
    if (p >= e || *p != '"') return false;
    const char *ks = p + 1, *kend = str(p, e);
    if (!kend) return false;
    p = ws(kend, e);
    if (p >= e || *p != ':') return false;
    p = ws(p + 1, e);
    const char *v = p;
    if (!(p = value(p, e, 1))) return false;
    if ((size_t)(kend - 1 - ks) == kl && memcmp(ks, key, kl) == 0) {
      *vs = v;
      *ve = p;
      return true;
    }
    p = ws(p, e);
    if (p < e && *p == ',') {
      p = ws(p + 1, e);
      continue;
    }
    return false;
  }
}

bool json_member_span(const char *text, size_t len, const char *k1, const char *k2, size_t *start, size_t *end) {
  const char *e = text + len, *vs, *ve;
  if (!member(text, e, k1, &vs, &ve)) return false;
  if (k2 && !member(vs, ve, k2, &vs, &ve)) return false;
  *start = (size_t)(vs - text);
  *end = (size_t)(ve - text);
  return true;
}
