/*
 * The build's source map, for trap reports of the native runner: a module
 * byte offset (what wasm3's backtrace gives) to `file:line:col`. The module
 * names its map in a sourceMappingURL custom section (asc writes it with
 * --sourceMap, the debug target), relative to the module's file. Only the
 * parts a wasm source map uses are read: `sources` and line 1 of
 * `mappings` (columns are byte offsets). Anything unexpected means no map:
 * the report then names the function only. Host only (files, malloc).
 */
#include "sourcemap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct { uint32_t offset, src, line, col; } mapping;

static char **s_sources;
static uint32_t s_nsources;
static mapping *s_map;
static uint32_t s_nmap;

static uint32_t leb(const uint8_t **p, const uint8_t *end) {
  uint32_t v = 0;
  for (int shift = 0; *p < end && shift < 35; shift += 7) {
    uint8_t b = *(*p)++;
    v |= (uint32_t)(b & 0x7f) << shift;
    if (!(b & 0x80)) break;
  }
  return v;
}

/* The sourceMappingURL section's text, copied (NUL-terminated), or 0. */
static char *map_url(const uint8_t *wasm, uint32_t len) {
  const uint8_t *p = wasm + 8, *end = wasm + len;
  if (len < 8) return 0;
  while (p < end) {
    uint8_t id = *p++;
    uint32_t size = leb(&p, end);
    if (size > (uint32_t)(end - p)) return 0;
    const uint8_t *next = p + size;
    if (id == 0) {
      uint32_t n = leb(&p, next);
      if (n == 16 && n <= (uint32_t)(next - p) && !memcmp(p, "sourceMappingURL", 16)) {
        p += 16;
        uint32_t ulen = leb(&p, next);
        if (ulen > (uint32_t)(next - p) || ulen > 4096) return 0;
        char *u = malloc(ulen + 1);
        if (!u) return 0;
        memcpy(u, p, ulen);
        u[ulen] = 0;
        return u;
      }
    }
    p = next;
  }
  return 0;
}

/* A JSON string at *p (after its opening quote), unescaped enough for paths; *p moves past the closing quote. */
static char *json_string(const char **p) {
  const char *s = *p;
  size_t n = 0;
  char *out = malloc(strlen(s) + 1);
  if (!out) return 0;
  while (*s && *s != '"') {
    if (*s == '\\' && s[1]) s++;
    out[n++] = *s++;
  }
  out[n] = 0;
  *p = *s ? s + 1 : s;
  return out;
}

static int b64(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

static int parse(const char *json) {
  const char *s = strstr(json, "\"sources\"");
  if (!s || !(s = strchr(s, '['))) return 0;
  s++;
  for (;;) {
    while (*s == ' ' || *s == ',' || *s == '\n') s++;
    if (*s != '"') break;
    s++;
    char **grown = realloc(s_sources, (s_nsources + 1) * sizeof *s_sources);
    if (!grown) return 0;
    s_sources = grown;
    if (!(s_sources[s_nsources] = json_string(&s))) return 0;
    s_nsources++;
  }
  const char *m = strstr(json, "\"mappings\"");
  if (!m || !(m = strchr(m + 10, '"'))) return 0;
  m++;
  int32_t f[5];
  uint32_t nf = 0, cap = 0;
  int32_t v = 0, shift = 0;
  int64_t col = 0, src = 0, line = 0, scol = 0;
  for (;; m++) {
    char c = *m;
    if (c == ',' || c == ';' || c == '"' || c == 0) {
      if (nf >= 4) {
        col += f[0], src += f[1], line += f[2], scol += f[3];
        if (col < 0 || src < 0 || src >= s_nsources || line < 0 || scol < 0) return 0;
        if (s_nmap == cap) {
          cap = cap ? cap * 2 : 1024;
          mapping *grown = realloc(s_map, cap * sizeof *s_map);
          if (!grown) return 0;
          s_map = grown;
        }
        s_map[s_nmap++] = (mapping){(uint32_t)col, (uint32_t)src, (uint32_t)line + 1, (uint32_t)scol + 1};
      } else if (nf >= 1) {
        col += f[0];
      }
      nf = 0;
      if (c != ',') break; /* wasm maps have one line */
      continue;
    }
    int d = b64(c);
    if (d < 0 || shift > 30) return 0;
    v |= (d & 31) << shift;
    if (d & 32) {
      shift += 5;
      continue;
    }
    if (nf < 5) f[nf++] = (v & 1) ? -(v >> 1) : (v >> 1);
    v = 0;
    shift = 0;
  }
  return s_nmap > 0;
}

int native_sourcemap_load(const char *wasm_path, const uint8_t *wasm, uint32_t len) {
  char *url = map_url(wasm, len);
  if (!url || strstr(url, "://")) {
    free(url);
    return 0;
  }
  const char *slash = strrchr(wasm_path, '/');
  size_t dir = slash ? (size_t)(slash - wasm_path) + 1 : 0;
  char *path = malloc(dir + strlen(url) + 1);
  if (!path) {
    free(url);
    return 0;
  }
  memcpy(path, wasm_path, dir);
  strcpy(path + dir, url[0] == '.' && url[1] == '/' ? url + 2 : url);
  free(url);
  FILE *f = fopen(path, "rb");
  free(path);
  if (!f) return 0;
  char *json = 0;
  long size = -1;
  if (!fseek(f, 0, SEEK_END) && (size = ftell(f)) > 0 && size <= 64L * 1024 * 1024 && !fseek(f, 0, SEEK_SET) &&
      (json = malloc((size_t)size + 1)) && fread(json, 1, (size_t)size, f) == (size_t)size) {
    json[size] = 0;
  } else {
    free(json);
    json = 0;
  }
  fclose(f);
  int ok = json && parse(json);
  free(json);
  if (!ok) s_nmap = 0; /* a map this reader cannot follow: names only */
  return ok;
}

const char *native_source_at(uint32_t offset) {
  static char buf[160];
  uint32_t lo = 0, hi = s_nmap;
  while (lo < hi) { /* first mapping past offset */
    uint32_t mid = lo + (hi - lo) / 2;
    if (s_map[mid].offset <= offset) lo = mid + 1;
    else hi = mid;
  }
  if (lo == 0) return 0;
  const mapping *m = &s_map[lo - 1];
  snprintf(buf, sizeof buf, "%s:%u:%u", s_sources[m->src], m->line, m->col);
  return buf;
}
