/*
 * The module gate in C (coop_gate.h). Mirrors host/engines/gate.ts line for
 * line: when you change a rule or its wording here, change it there too
 * (tests/host/gate.test.ts compares both on a shared table of modules and on
 * the fuzz corpus).
 *
 * Freestanding: stdint, string (memcmp), setjmp (a refusal unwinds the
 * parser in one jump; newlib-nano has it).
 */
#include "coop_gate.h"
#include "coop_gate_limits.h"

#include <setjmp.h>
#include <string.h>

typedef struct {
  const char *name;
  const char *sig;
} gate_abi_t;

static const gate_abi_t k_imports[] = {COOP_GATE_IMPORTS_TABLE};
static const gate_abi_t k_import_globals[] = {COOP_GATE_IMPORT_GLOBALS_TABLE};

static const char *valtype_name(char c) { return c == 'i' ? "i32" : c == 'I' ? "i64" : c == 'f' ? "f32" : "f64"; }
static const gate_abi_t k_exports[] = {COOP_GATE_EXPORTS_TABLE};
#define N_ABI_EXPORTS (sizeof k_exports / sizeof k_exports[0])

static const char *const k_section_names[] = {"custom", "type", "import", "function", "table", "memory", "global",
                                              "export", "start", "element", "code", "data", "data count"};
static const uint8_t k_section_rank[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 10};
static const char *const k_kind_names[] = {"function", "table", "memory", "global"};
static const uint8_t k_natural_align[] = {2, 3, 2, 3, 0, 0, 1, 1, 0, 0, 1, 1, 2, 2, 2, 3, 2, 3, 0, 1, 0, 1, 2};

enum { OP_BAD, OP_NONE, OP_BLOCK, OP_ELSE, OP_END, OP_BR, OP_BR_TABLE, OP_CALL, OP_CALL_INDIRECT, OP_LOCAL,
       OP_GLOBAL, OP_MEM, OP_MEMBYTE, OP_I32, OP_I64, OP_F32, OP_F64, OP_PREFIX };

static uint8_t op_class(uint8_t op) {
  if (op <= 0x01) return OP_NONE;
  if (op <= 0x04) return OP_BLOCK;
  if (op == 0x05) return OP_ELSE;
  if (op == 0x0b) return OP_END;
  if (op == 0x0c || op == 0x0d) return OP_BR;
  if (op == 0x0e) return OP_BR_TABLE;
  if (op == 0x0f) return OP_NONE;
  if (op == 0x10) return OP_CALL;
  if (op == 0x11) return OP_CALL_INDIRECT;
  if (op == 0x1a || op == 0x1b) return OP_NONE;
  if (op >= 0x20 && op <= 0x22) return OP_LOCAL;
  if (op == 0x23 || op == 0x24) return OP_GLOBAL;
  if (op >= 0x28 && op <= 0x3e) return OP_MEM;
  if (op == 0x3f || op == 0x40) return OP_MEMBYTE;
  if (op == 0x41) return OP_I32;
  if (op == 0x42) return OP_I64;
  if (op == 0x43) return OP_F32;
  if (op == 0x44) return OP_F64;
  if (op >= 0x45 && op <= 0xc4) return OP_NONE;
  if (op == 0xfc) return OP_PREFIX;
  return OP_BAD;
}

static char valtype_char(uint8_t t) {
  switch (t) {
    case 0x7f: return 'i';
    case 0x7e: return 'I';
    case 0x7d: return 'f';
    case 0x7c: return 'F';
    default: return 0;
  }
}

/* ---- the message ----------------------------------------------------------- */
typedef struct {
  char *buf;
  uint32_t cap, len;
} msg_t;

static void m_str(msg_t *m, const char *s) {
  while (*s && m->len + 1 < m->cap) m->buf[m->len++] = *s++;
  m->buf[m->len] = 0;
}
static void m_u64(msg_t *m, uint64_t v) {
  char tmp[24];
  int n = 0;
  do {
    tmp[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  while (n && m->len + 1 < m->cap) m->buf[m->len++] = tmp[--n];
  m->buf[m->len] = 0;
}
static void m_hex2(msg_t *m, uint8_t b) {
  static const char d[] = "0123456789abcdef";
  char s[5] = {'0', 'x', d[b >> 4], d[b & 15], 0};
  m_str(m, s);
}
/* A name: printable ASCII kept, other bytes '?', at most 64 bytes then "...". */
static void m_shown(msg_t *m, const uint8_t *p, uint32_t len) {
  uint32_t n = len > 64 ? 64 : len;
  for (uint32_t i = 0; i < n && m->len + 1 < m->cap; i++) m->buf[m->len++] = (p[i] >= 0x20 && p[i] < 0x7f) ? (char)p[i] : '?';
  m->buf[m->len] = 0;
  if (len > 64) m_str(m, "...");
}
static void m_sig(msg_t *m, const char *sig) {
  m_str(m, "(");
  for (const char *p = sig + 2; *p && *p != ')'; p++) {
    if (p != sig + 2) m_str(m, ", ");
    m_str(m, *p == 'i' ? "i32" : *p == 'I' ? "i64" : *p == 'f' ? "f32" : *p == 'F' ? "f64" : "?");
  }
  m_str(m, ") -> ");
  m_str(m, sig[0] == 'v' ? "()" : sig[0] == 'i' ? "i32" : sig[0] == 'I' ? "i64" : sig[0] == 'f' ? "f32" : sig[0] == 'F' ? "f64" : "?");
}

/* ---- state ------------------------------------------------------------------ */
typedef struct {
  const uint8_t *b;
  uint32_t len;
  uint32_t pos, end;
  const char *sec;     /* "module", "<name> section" are built into sec_buf */
  char sec_buf[24];
  uint32_t mem_limit;
  msg_t m;
  jmp_buf jb;
  uint32_t ntypes;
  uint32_t type_off[COOP_GATE_MAX_TYPES]; /* offset of each type's parameter count */
  uint32_t nimports;
  uint16_t import_types[COOP_GATE_MAX_IMPORTS];
  uint32_t ndefined;   /* function section count */
  uint32_t func_sec;   /* offset of the function section's first type index */
  uint32_t ntables, table_min, nmemories, initial_pages, nglobals, nimported_globals;
  uint32_t exp_sec, nexports; /* offset of the export section's first entry */
  int64_t data_count;
  uint8_t saw_data, saw_code, saw_name;
  uint32_t ncustom;
  uint8_t kinds[COOP_GATE_MAX_NESTING + 2];
} gate_t;

static gate_t G; /* one check at a time (the embedding loads one module) */

#define FAIL_BEGIN(g) msg_t *M = &(g)->m
static void fail_now(gate_t *g) { longjmp(g->jb, 1); }

/* "<sec>: unexpected end at byte N" / "<sec>: malformed LEB128 at byte N" */
static void fail_at(gate_t *g, const char *what, uint32_t at) {
  FAIL_BEGIN(g);
  m_str(M, g->sec);
  m_str(M, what);
  m_u64(M, at);
  fail_now(g);
}

static uint8_t rd_byte(gate_t *g) {
  if (g->pos >= g->end) fail_at(g, ": unexpected end at byte ", g->pos);
  return g->b[g->pos++];
}

static uint32_t rd_u32(gate_t *g) {
  uint32_t start = g->pos;
  uint64_t r = 0;
  for (int i = 0; i < 5; i++) {
    if (g->pos >= g->end) fail_at(g, ": unexpected end at byte ", start);
    uint8_t c = g->b[g->pos++];
    if (i == 4 && (c & 0xf0) != 0) fail_at(g, ": malformed LEB128 at byte ", start);
    r |= (uint64_t)(c & 0x7f) << (7 * i);
    if (!(c & 0x80)) return (uint32_t)r;
  }
  fail_at(g, ": malformed LEB128 at byte ", start);
  return 0;
}

static uint32_t rd_sleb(gate_t *g, int bits) {
  uint32_t start = g->pos;
  int max = bits == 32 ? 5 : 10;
  uint32_t r = 0;
  int shift = 0;
  for (int i = 0; i < max; i++) {
    if (g->pos >= g->end) fail_at(g, ": unexpected end at byte ", start);
    uint8_t c = g->b[g->pos++];
    if (i == max - 1) {
      int ok = bits == 32 ? ((c & 0x80) == 0 && ((c & 0x08) ? (c & 0x70) == 0x70 : (c & 0x70) == 0))
                          : ((c & 0x80) == 0 && ((c & 0x01) ? (c & 0x7e) == 0x7e : (c & 0x7e) == 0));
      if (!ok) fail_at(g, ": malformed LEB128 at byte ", start);
    }
    if (shift < 32) r |= (uint32_t)(c & 0x7f) << shift;
    shift += 7;
    if (!(c & 0x80)) {
      if (shift < 32 && (c & 0x40)) r |= ~0u << shift;
      return r;
    }
  }
  fail_at(g, ": malformed LEB128 at byte ", start);
  return 0;
}

static void skip(gate_t *g, uint32_t n) {
  if (n > g->end - g->pos) fail_at(g, ": unexpected end at byte ", g->pos);
  g->pos += n;
}

static int utf8_ok(const uint8_t *b, uint32_t off, uint32_t len) {
  uint64_t i = off, end = (uint64_t)off + len;
  while (i < end) {
    uint8_t c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    uint32_t n, min, cp;
    if (c >= 0xc2 && c <= 0xdf) { n = 1; min = 0x80; cp = c & 0x1f; }
    else if (c >= 0xe0 && c <= 0xef) { n = 2; min = 0x800; cp = c & 0x0f; }
    else if (c >= 0xf0 && c <= 0xf4) { n = 3; min = 0x10000; cp = c & 0x07; }
    else return 0;
    if (i + n >= end) return 0;
    for (uint32_t k = 1; k <= n; k++) {
      uint8_t d = b[i + k];
      if ((d & 0xc0) != 0x80) return 0;
      cp = cp * 64 + (d & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
    i += n + 1;
  }
  return 1;
}

/* "<what> <n>" prefixes, e.g. "import 3" */
static void m_what(msg_t *M, const char *what, uint32_t n) {
  m_str(M, what);
  m_str(M, " ");
  m_u64(M, n);
}

/* A name: length, bytes, UTF-8, at most max_name_bytes. what/wn: "import", 3. */
static void rd_name(gate_t *g, const char *what, int64_t wn, uint32_t *off, uint32_t *len) {
  uint32_t start = g->pos;
  uint32_t n = rd_u32(g);
  if (n > COOP_GATE_MAX_NAME_BYTES) {
    FAIL_BEGIN(g);
    if (wn >= 0) m_what(M, what, (uint32_t)wn); else m_str(M, what);
    m_str(M, ": name of ");
    m_u64(M, n);
    m_str(M, " bytes exceeds the limit ");
    m_u64(M, COOP_GATE_MAX_NAME_BYTES);
    m_str(M, " (byte ");
    m_u64(M, start);
    m_str(M, ")");
    fail_now(g);
  }
  *off = g->pos;
  skip(g, n);
  *len = n;
  if (!utf8_ok(g->b, *off, n)) {
    FAIL_BEGIN(g);
    if (wn >= 0) m_what(M, what, (uint32_t)wn); else m_str(M, what);
    m_str(M, ": name is not valid UTF-8 (byte ");
    m_u64(M, start);
    m_str(M, ")");
    fail_now(g);
  }
}

static void check_count(gate_t *g, uint64_t n, uint32_t max, const char *what) {
  if (n <= max) return;
  FAIL_BEGIN(g);
  m_u64(M, n);
  m_str(M, " ");
  m_str(M, what);
  m_str(M, " exceed the limit ");
  m_u64(M, max);
  fail_now(g);
}

static uint8_t rd_valtype(gate_t *g, const char *what, uint32_t wn) {
  uint32_t at = g->pos;
  uint8_t t = rd_byte(g);
  if (!valtype_char(t)) {
    FAIL_BEGIN(g);
    m_what(M, what, wn);
    m_str(M, ": value type ");
    m_hex2(M, t);
    m_str(M, " is not supported (byte ");
    m_u64(M, at);
    m_str(M, ")");
    fail_now(g);
  }
  return t;
}

/* Reads a LEB that was validated before (type entries, function section). */
static uint32_t rd_known(const uint8_t *b, uint32_t *p) {
  uint32_t v = 0, s = 0;
  uint8_t c;
  do {
    c = b[(*p)++];
    v |= (uint32_t)(c & 0x7f) << s;
    s += 7;
  } while (c & 0x80);
  return v;
}

/* Signature of type t in wasm3 notation into out (at least 3 + max_params bytes). */
static void type_sig(gate_t *g, uint32_t t, char *out) {
  uint32_t p = g->type_off[t];
  uint32_t np = rd_known(g->b, &p);
  char params[COOP_GATE_MAX_PARAMS + 1];
  for (uint32_t i = 0; i < np; i++) params[i] = valtype_char(g->b[p++]);
  params[np] = 0;
  uint32_t nr = rd_known(g->b, &p);
  uint32_t k = 0;
  out[k++] = nr ? valtype_char(g->b[p]) : 'v';
  out[k++] = '(';
  for (uint32_t i = 0; i < np; i++) out[k++] = params[i];
  out[k++] = ')';
  out[k] = 0;
}

static uint32_t param_count(gate_t *g, uint32_t t) {
  uint32_t p = g->type_off[t];
  return rd_known(g->b, &p);
}

static uint32_t func_type(gate_t *g, uint32_t f) {
  if (f < g->nimports) return g->import_types[f];
  uint32_t p = g->func_sec, t = 0;
  for (uint32_t i = 0; i <= f - g->nimports; i++) t = rd_known(g->b, &p);
  return t;
}

static uint32_t nfuncs(gate_t *g) { return g->nimports + g->ndefined; }

static void fail_i32_offset(gate_t *g, const char *what, uint32_t wn, uint32_t at) {
  FAIL_BEGIN(g);
  m_what(M, what, wn);
  m_str(M, ": offset is not an i32.const (byte ");
  m_u64(M, at);
  m_str(M, ")");
  fail_now(g);
}

static uint32_t rd_i32_offset(gate_t *g, const char *what, uint32_t wn) {
  uint32_t at = g->pos;
  if (rd_byte(g) != 0x41) fail_i32_offset(g, what, wn, at);
  uint32_t v = rd_sleb(g, 32);
  if (rd_byte(g) != 0x0b) fail_i32_offset(g, what, wn, at);
  return v;
}

/* Table/memory limits: flag 0 (min) or 1 (min, max); *max = -1 without one. */
static void rd_limits(gate_t *g, const char *what, uint32_t *min, int64_t *max) {
  uint32_t at = g->pos;
  uint8_t flag = rd_byte(g);
  if (flag > 1) {
    FAIL_BEGIN(g);
    m_what(M, what, 0);
    m_str(M, ": limits flag ");
    m_hex2(M, flag);
    m_str(M, " is not supported (shared or 64-bit) (byte ");
    m_u64(M, at);
    m_str(M, ")");
    fail_now(g);
  }
  *min = rd_u32(g);
  *max = flag ? (int64_t)rd_u32(g) : -1;
}

static int name_is(const uint8_t *p, uint32_t len, const char *s) {
  size_t n = strlen(s);
  return len == n && memcmp(p, s, n) == 0;
}

/* ---- sections --------------------------------------------------------------- */

static void sec_type(gate_t *g) {
  uint32_t n = rd_u32(g);
  check_count(g, n, COOP_GATE_MAX_TYPES, "types");
  for (uint32_t i = 0; i < n; i++) {
    uint32_t fat = g->pos;
    uint8_t form = rd_byte(g);
    if (form != 0x60) {
      FAIL_BEGIN(g);
      m_what(M, "type", i);
      m_str(M, ": form ");
      m_hex2(M, form);
      m_str(M, " is not a function type (byte ");
      m_u64(M, fat);
      m_str(M, ")");
      fail_now(g);
    }
    g->type_off[i] = g->pos;
    g->ntypes = i + 1;
    uint32_t np = rd_u32(g);
    if (np > COOP_GATE_MAX_PARAMS) {
      FAIL_BEGIN(g);
      m_what(M, "type", i);
      m_str(M, ": ");
      m_u64(M, np);
      m_str(M, " parameters exceed the limit ");
      m_u64(M, COOP_GATE_MAX_PARAMS);
      fail_now(g);
    }
    for (uint32_t k = 0; k < np; k++) rd_valtype(g, "type", i);
    uint32_t nr = rd_u32(g);
    if (nr > COOP_GATE_MAX_RESULTS) {
      FAIL_BEGIN(g);
      m_what(M, "type", i);
      m_str(M, ": ");
      m_u64(M, nr);
      m_str(M, " results exceed the limit ");
      m_u64(M, COOP_GATE_MAX_RESULTS);
      fail_now(g);
    }
    for (uint32_t k = 0; k < nr; k++) rd_valtype(g, "type", i);
  }
}

static void sec_import(gate_t *g) {
  uint32_t n = rd_u32(g);
  check_count(g, n, COOP_GATE_MAX_IMPORTS, "imports");
  for (uint32_t i = 0; i < n; i++) {
    uint32_t mo, ml, fo, fl;
    rd_name(g, "import", i, &mo, &ml);
    rd_name(g, "import", i, &fo, &fl);
    uint32_t kat = g->pos;
    uint8_t kind = rd_byte(g);
    if (kind > 3) {
      FAIL_BEGIN(g);
      m_what(M, "import", i);
      m_str(M, ": unknown kind ");
      m_u64(M, kind);
      m_str(M, " (byte ");
      m_u64(M, kat);
      m_str(M, ")");
      fail_now(g);
    }
    const char *want = 0, *field = 0;
    if ((kind == 0 || kind == 3) && name_is(g->b + mo, ml, "board")) {
      const gate_abi_t *tab = kind == 0 ? k_imports : k_import_globals;
      uint32_t count = kind == 0 ? COOP_GATE_IMPORTS_COUNT : COOP_GATE_IMPORT_GLOBALS_COUNT;
      for (uint32_t k = 0; k < count; k++)
        if (name_is(g->b + fo, fl, tab[k].name)) {
          want = tab[k].sig;
          field = tab[k].name;
        }
    }
    if (!want) {
      FAIL_BEGIN(g);
      m_str(M, "imports ");
      m_shown(M, g->b + mo, ml);
      m_str(M, ".");
      m_shown(M, g->b + fo, fl);
      m_str(M, " (");
      m_str(M, k_kind_names[kind]);
      m_str(M, "), which this board does not provide (board ABI v1 has board.* functions and the global board.irq_quiet, docs/abi.md)");
      fail_now(g);
    }
    if (kind == 3) {
      /* A board global: its value type and mutability must be the ABI's (every one is mutable). */
      uint8_t t = rd_valtype(g, "import", i);
      uint8_t mut = rd_byte(g);
      char c = t == 0x7f ? 'i' : t == 0x7e ? 'I' : t == 0x7d ? 'f' : 'F';
      if (c != want[0] || mut != 1) {
        FAIL_BEGIN(g);
        m_str(M, "import board.");
        m_str(M, field);
        m_str(M, mut == 1 ? " is a mutable " : " is an immutable ");
        m_str(M, valtype_name(c));
        m_str(M, " global, board ABI v1 has a mutable ");
        m_str(M, valtype_name(want[0]));
        m_str(M, " one");
        fail_now(g);
      }
      g->nglobals = ++g->nimported_globals;
      continue;
    }
    uint32_t t = rd_u32(g);
    if (t >= g->ntypes) {
      FAIL_BEGIN(g);
      m_str(M, "import board.");
      m_str(M, field);
      m_str(M, ": type index ");
      m_u64(M, t);
      m_str(M, " out of range");
      fail_now(g);
    }
    char got[COOP_GATE_MAX_PARAMS + 4];
    type_sig(g, t, got);
    if (strcmp(got, want) != 0) {
      FAIL_BEGIN(g);
      m_str(M, "import board.");
      m_str(M, field);
      m_str(M, " has the wrong signature ");
      m_sig(M, got);
      m_str(M, ", board ABI v1 has ");
      m_sig(M, want);
      fail_now(g);
    }
    g->import_types[g->nimports++] = (uint16_t)t;
  }
}

static void sec_function(gate_t *g) {
  uint32_t n = rd_u32(g);
  if (n > COOP_GATE_MAX_FUNCTIONS || (uint64_t)g->nimports + n > COOP_GATE_MAX_FUNCTIONS) {
    FAIL_BEGIN(g);
    m_u64(M, (uint64_t)g->nimports + n);
    m_str(M, " functions exceed the limit ");
    m_u64(M, COOP_GATE_MAX_FUNCTIONS);
    fail_now(g);
  }
  g->func_sec = g->pos;
  for (uint32_t i = 0; i < n; i++) {
    uint32_t t = rd_u32(g);
    if (t >= g->ntypes) {
      FAIL_BEGIN(g);
      m_what(M, "function", g->nimports + i);
      m_str(M, ": type index ");
      m_u64(M, t);
      m_str(M, " out of range");
      fail_now(g);
    }
    g->ndefined = i + 1;
  }
}

static void fail_below(gate_t *g, const char *what, int64_t max, uint32_t min) {
  FAIL_BEGIN(g);
  m_what(M, what, 0);
  m_str(M, ": maximum ");
  m_u64(M, (uint64_t)max);
  m_str(M, " is below the initial ");
  m_u64(M, min);
  fail_now(g);
}

static void sec_table(gate_t *g) {
  uint32_t n = rd_u32(g);
  check_count(g, n, 1, "tables");
  for (uint32_t i = 0; i < n; i++) {
    uint32_t eat = g->pos;
    uint8_t et = rd_byte(g);
    if (et != 0x70) {
      FAIL_BEGIN(g);
      m_what(M, "table", i);
      m_str(M, ": element type ");
      m_hex2(M, et);
      m_str(M, " is not funcref (byte ");
      m_u64(M, eat);
      m_str(M, ")");
      fail_now(g);
    }
    uint32_t min;
    int64_t max;
    rd_limits(g, "table", &min, &max);
    if (min > COOP_GATE_MAX_TABLE_ELEMENTS) {
      FAIL_BEGIN(g);
      m_what(M, "table", i);
      m_str(M, ": ");
      m_u64(M, min);
      m_str(M, " initial elements exceed the limit ");
      m_u64(M, COOP_GATE_MAX_TABLE_ELEMENTS);
      fail_now(g);
    }
    if (max >= 0 && max < min) fail_below(g, "table", max, min);
    g->table_min = min;
  }
  g->ntables = n;
}

static void sec_memory(gate_t *g) {
  uint32_t n = rd_u32(g);
  check_count(g, n, 1, "memories");
  for (uint32_t i = 0; i < n; i++) {
    uint32_t min;
    int64_t max;
    rd_limits(g, "memory", &min, &max);
    if (min > COOP_GATE_MAX_INITIAL_PAGES) {
      FAIL_BEGIN(g);
      m_what(M, "memory", i);
      m_str(M, ": initial size ");
      m_u64(M, min);
      m_str(M, " pages exceeds the limit ");
      m_u64(M, COOP_GATE_MAX_INITIAL_PAGES);
      m_str(M, " pages");
      fail_now(g);
    }
    if (max >= 0 && max > 65536) {
      FAIL_BEGIN(g);
      m_what(M, "memory", i);
      m_str(M, ": maximum ");
      m_u64(M, (uint64_t)max);
      m_str(M, " pages exceeds 65536");
      fail_now(g);
    }
    if (max >= 0 && max < min) fail_below(g, "memory", max, min);
    g->initial_pages = min;
  }
  g->nmemories = n;
}

static void sec_global(gate_t *g) {
  uint32_t n = rd_u32(g);
  check_count(g, n, COOP_GATE_MAX_GLOBALS, "globals");
  for (uint32_t i = 0; i < n; i++) {
    uint8_t t = rd_valtype(g, "global", i);
    uint32_t mat = g->pos;
    uint8_t mut = rd_byte(g);
    if (mut > 1) {
      FAIL_BEGIN(g);
      m_what(M, "global", i);
      m_str(M, ": mutability byte ");
      m_u64(M, mut);
      m_str(M, " (byte ");
      m_u64(M, mat);
      m_str(M, ")");
      fail_now(g);
    }
    uint32_t iat = g->pos;
    uint8_t op = rd_byte(g);
    uint8_t want = t == 0x7f ? 0x41 : t == 0x7e ? 0x42 : t == 0x7d ? 0x43 : 0x44;
    if (op != want) {
      FAIL_BEGIN(g);
      m_what(M, "global", i);
      m_str(M, ": initializer is not a constant of its type (byte ");
      m_u64(M, iat);
      m_str(M, ")");
      fail_now(g);
    }
    if (op == 0x41) rd_sleb(g, 32);
    else if (op == 0x42) rd_sleb(g, 64);
    else skip(g, op == 0x43 ? 4 : 8);
    if (rd_byte(g) != 0x0b) {
      FAIL_BEGIN(g);
      m_what(M, "global", i);
      m_str(M, ": initializer does not end after one constant (byte ");
      m_u64(M, iat);
      m_str(M, ")");
      fail_now(g);
    }
  }
  g->nglobals = g->nimported_globals + n; /* the index space starts with the imported ones */
}

static void sec_export(gate_t *g) {
  uint32_t n = rd_u32(g);
  check_count(g, n, COOP_GATE_MAX_EXPORTS, "exports");
  g->exp_sec = g->pos;
  for (uint32_t i = 0; i < n; i++) {
    uint32_t off, len;
    rd_name(g, "export", i, &off, &len);
    uint32_t kat = g->pos;
    uint8_t kind = rd_byte(g);
    if (kind > 3) {
      FAIL_BEGIN(g);
      m_what(M, "export", i);
      m_str(M, ": unknown kind ");
      m_u64(M, kind);
      m_str(M, " (byte ");
      m_u64(M, kat);
      m_str(M, ")");
      fail_now(g);
    }
    uint32_t index = rd_u32(g);
    uint32_t have = kind == 0 ? nfuncs(g) : kind == 1 ? g->ntables : kind == 2 ? g->nmemories : g->nglobals;
    if (index >= have) {
      FAIL_BEGIN(g);
      m_str(M, "export ");
      m_shown(M, g->b + off, len);
      m_str(M, ": ");
      m_str(M, k_kind_names[kind]);
      m_str(M, " index ");
      m_u64(M, index);
      m_str(M, " out of range");
      fail_now(g);
    }
    /* Duplicate names: rescan the entries before this one (validated already). */
    uint32_t p = g->exp_sec;
    for (uint32_t k = 0; k < i; k++) {
      uint32_t l = rd_known(g->b, &p);
      if (l == len && memcmp(g->b + p, g->b + off, len) == 0) {
        FAIL_BEGIN(g);
        m_str(M, "export name ");
        m_shown(M, g->b + off, len);
        m_str(M, " is used twice");
        fail_now(g);
      }
      p += l + 1;
      rd_known(g->b, &p);
    }
    g->nexports = i + 1;
  }
}

static void sec_element(gate_t *g) {
  uint32_t n = rd_u32(g);
  check_count(g, n, COOP_GATE_MAX_ELEMENT_SEGMENTS, "element segments");
  for (uint32_t i = 0; i < n; i++) {
    uint32_t fat = g->pos;
    uint32_t flags = rd_u32(g);
    if (flags != 0) {
      FAIL_BEGIN(g);
      m_what(M, "element segment", i);
      m_str(M, ": only active segments of table 0 are supported (flags ");
      m_u64(M, flags);
      m_str(M, ", byte ");
      m_u64(M, fat);
      m_str(M, ")");
      fail_now(g);
    }
    if (g->ntables == 0) {
      FAIL_BEGIN(g);
      m_what(M, "element segment", i);
      m_str(M, ": the module has no table");
      fail_now(g);
    }
    uint32_t off = rd_i32_offset(g, "element segment", i);
    uint32_t cnt = rd_u32(g);
    if ((uint64_t)off + cnt > g->table_min) {
      FAIL_BEGIN(g);
      m_what(M, "element segment", i);
      m_str(M, ": entries ");
      m_u64(M, off);
      m_str(M, "..");
      m_u64(M, (uint64_t)off + cnt);
      m_str(M, " run past the table's ");
      m_u64(M, g->table_min);
      fail_now(g);
    }
    for (uint32_t k = 0; k < cnt; k++) {
      uint32_t f = rd_u32(g);
      if (f >= nfuncs(g)) {
        FAIL_BEGIN(g);
        m_what(M, "element segment", i);
        m_str(M, ": function index ");
        m_u64(M, f);
        m_str(M, " out of range");
        fail_now(g);
      }
    }
  }
}

static void fail_data_count(gate_t *g, uint64_t n) {
  FAIL_BEGIN(g);
  m_str(M, "the data count section says ");
  m_u64(M, (uint64_t)g->data_count);
  m_str(M, ", the data section has ");
  m_u64(M, n);
  m_str(M, " segments");
  fail_now(g);
}

static void sec_data(gate_t *g) {
  uint32_t n = rd_u32(g);
  check_count(g, n, COOP_GATE_MAX_DATA_SEGMENTS, "data segments");
  g->saw_data = 1;
  if (g->data_count >= 0 && g->data_count != n) fail_data_count(g, n);
  for (uint32_t i = 0; i < n; i++) {
    uint32_t fat = g->pos;
    uint32_t flags = rd_u32(g);
    if (flags != 0) {
      FAIL_BEGIN(g);
      m_what(M, "data segment", i);
      m_str(M, ": only active segments of memory 0 are supported (flags ");
      m_u64(M, flags);
      m_str(M, ", byte ");
      m_u64(M, fat);
      m_str(M, ")");
      fail_now(g);
    }
    if (g->nmemories == 0) {
      FAIL_BEGIN(g);
      m_what(M, "data segment", i);
      m_str(M, ": the module has no memory");
      fail_now(g);
    }
    uint32_t off = rd_i32_offset(g, "data segment", i);
    uint32_t size = rd_u32(g);
    skip(g, size);
    uint64_t end_at = (uint64_t)off + size;
    uint64_t initial = (uint64_t)g->initial_pages * 65536u;
    if (end_at > initial || (g->mem_limit && end_at > g->mem_limit)) {
      FAIL_BEGIN(g);
      m_what(M, "data segment", i);
      m_str(M, " ends at byte ");
      m_u64(M, end_at);
      if (end_at > initial) {
        m_str(M, ", past the initial memory of ");
        m_u64(M, initial);
      } else {
        m_str(M, ", past the memory limit ");
        m_u64(M, g->mem_limit);
      }
      m_str(M, " bytes");
      fail_now(g);
    }
  }
}

static void sec_custom(gate_t *g, uint32_t at) {
  g->ncustom++;
  if (g->ncustom > COOP_GATE_MAX_CUSTOM_SECTIONS) {
    FAIL_BEGIN(g);
    m_u64(M, g->ncustom);
    m_str(M, " custom sections exceed the limit ");
    m_u64(M, COOP_GATE_MAX_CUSTOM_SECTIONS);
    fail_now(g);
  }
  uint32_t off, len;
  {
    /* "custom section at byte N: ..." */
    char what[40];
    msg_t w = {what, sizeof what, 0};
    m_str(&w, "custom section at byte ");
    m_u64(&w, at);
    rd_name(g, what, -1, &off, &len);
  }
  if (!name_is(g->b + off, len, "name")) {
    g->pos = g->end;
    return;
  }
  if (g->saw_name) {
    FAIL_BEGIN(g);
    m_str(M, "a second name section at byte ");
    m_u64(M, at);
    fail_now(g);
  }
  g->saw_name = 1;
  g->sec = "name section";
  uint32_t sec_end = g->end;
  while (g->pos < sec_end) {
    uint32_t sat = g->pos;
    uint8_t sub = rd_byte(g);
    uint32_t size = rd_u32(g);
    if (size > sec_end - g->pos) {
      FAIL_BEGIN(g);
      m_str(M, "name section: subsection ");
      m_u64(M, sub);
      m_str(M, " at byte ");
      m_u64(M, sat);
      m_str(M, ": its size ");
      m_u64(M, size);
      m_str(M, " runs past the section");
      fail_now(g);
    }
    uint32_t sub_end = g->pos + size;
    if (sub == 1) {
      g->end = sub_end;
      uint32_t n = rd_u32(g);
      for (uint32_t i = 0; i < n; i++) {
        uint32_t f = rd_u32(g);
        if (f >= nfuncs(g)) {
          FAIL_BEGIN(g);
          m_str(M, "name section: function index ");
          m_u64(M, f);
          m_str(M, " out of range");
          fail_now(g);
        }
        uint32_t o, l;
        rd_name(g, "name section", -1, &o, &l);
      }
      if (g->pos != sub_end) {
        FAIL_BEGIN(g);
        m_str(M, "name section: subsection 1 at byte ");
        m_u64(M, sat);
        m_str(M, ": ");
        m_u64(M, sub_end - g->pos);
        m_str(M, " bytes left over");
        fail_now(g);
      }
      g->end = sec_end;
    }
    g->pos = sub_end;
  }
}

/* "function N: " */
static void m_fn(msg_t *M, uint32_t fn) {
  m_what(M, "function", fn);
  m_str(M, ": ");
}

static void fail_fn_at(gate_t *g, uint32_t fn, const char *text, uint32_t at) {
  FAIL_BEGIN(g);
  m_fn(M, fn);
  m_str(M, text);
  m_str(M, " (byte ");
  m_u64(M, at);
  m_str(M, ")");
  fail_now(g);
}

static void fail_fn_num_at(gate_t *g, uint32_t fn, const char *a, uint64_t v, const char *b, uint32_t at) {
  FAIL_BEGIN(g);
  m_fn(M, fn);
  m_str(M, a);
  m_u64(M, v);
  m_str(M, b);
  m_str(M, " (byte ");
  m_u64(M, at);
  m_str(M, ")");
  fail_now(g);
}

static void sec_code(gate_t *g) {
  uint32_t n = rd_u32(g);
  g->saw_code = 1;
  if (n != g->ndefined) {
    FAIL_BEGIN(g);
    m_str(M, "the code section has ");
    m_u64(M, n);
    m_str(M, " bodies for ");
    m_u64(M, g->ndefined);
    m_str(M, " functions");
    fail_now(g);
  }
  uint32_t sec_end = g->end;
  uint32_t fcur = g->func_sec; /* walks the function section's type indices alongside */
  uint8_t *kinds = g->kinds;
  for (uint32_t i = 0; i < n; i++) {
    uint32_t fn = g->nimports + i;
    uint32_t size = rd_u32(g);
    if (size > sec_end - g->pos) {
      FAIL_BEGIN(g);
      m_fn(M, fn);
      m_str(M, "body size ");
      m_u64(M, size);
      m_str(M, " runs past the code section");
      fail_now(g);
    }
    uint32_t body_end = g->pos + size;
    g->end = body_end;
    uint64_t locals = param_count(g, rd_known(g->b, &fcur));
    uint32_t groups = rd_u32(g);
    for (uint32_t k = 0; k < groups; k++) {
      uint32_t c = rd_u32(g);
      locals += c;
      if (locals > COOP_GATE_MAX_LOCALS) {
        FAIL_BEGIN(g);
        m_fn(M, fn);
        m_u64(M, locals);
        m_str(M, " locals exceed the limit ");
        m_u64(M, COOP_GATE_MAX_LOCALS);
        fail_now(g);
      }
      rd_valtype(g, "function", fn);
    }
    uint64_t depth = 1, max_depth = 0;
    kinds[0] = 0;
    for (;;) {
      uint32_t at = g->pos;
      if (at >= body_end) fail_fn_at(g, fn, "the body ends inside a block", at);
      uint8_t op = g->b[g->pos++];
      switch (op_class(op)) {
        case OP_NONE: break;
        case OP_BLOCK: {
          uint8_t bt = rd_byte(g);
          if (bt != 0x40 && !valtype_char(bt)) {
            FAIL_BEGIN(g);
            m_fn(M, fn);
            m_str(M, "block type ");
            m_hex2(M, bt);
            m_str(M, " is not supported (byte ");
            m_u64(M, at);
            m_str(M, ")");
            fail_now(g);
          }
          if (depth <= COOP_GATE_MAX_NESTING) kinds[depth] = op == 0x04 ? 1 : 0;
          depth++;
          if (depth - 1 > max_depth) max_depth = depth - 1;
          break;
        }
        case OP_ELSE:
          if (depth - 1 <= COOP_GATE_MAX_NESTING) {
            if (depth < 2 || kinds[depth - 1] != 1) fail_fn_at(g, fn, "else without its if", at);
            kinds[depth - 1] = 2;
          }
          break;
        case OP_END:
          depth--;
          if (depth == 0 && g->pos != body_end) fail_fn_at(g, fn, "code continues after the body's final end", at);
          break;
        case OP_BR: {
          uint32_t l = rd_u32(g);
          if (l >= depth) fail_fn_num_at(g, fn, "branch depth ", l, " out of range", at);
          break;
        }
        case OP_BR_TABLE: {
          uint32_t cnt = rd_u32(g);
          if (cnt > COOP_GATE_MAX_BR_TABLE) {
            FAIL_BEGIN(g);
            m_fn(M, fn);
            m_str(M, "br_table of ");
            m_u64(M, cnt);
            m_str(M, " targets exceeds the limit ");
            m_u64(M, COOP_GATE_MAX_BR_TABLE);
            m_str(M, " (byte ");
            m_u64(M, at);
            m_str(M, ")");
            fail_now(g);
          }
          for (uint64_t k = 0; k <= cnt; k++) {
            uint32_t l = rd_u32(g);
            if (l >= depth) fail_fn_num_at(g, fn, "branch depth ", l, " out of range", at);
          }
          break;
        }
        case OP_CALL: {
          uint32_t f = rd_u32(g);
          if (f >= nfuncs(g)) fail_fn_num_at(g, fn, "call to function ", f, " out of range", at);
          break;
        }
        case OP_CALL_INDIRECT: {
          uint32_t t = rd_u32(g);
          if (t >= g->ntypes) fail_fn_num_at(g, fn, "call_indirect type index ", t, " out of range", at);
          uint8_t tb = rd_byte(g);
          if (g->ntables == 0 || tb != 0) fail_fn_at(g, fn, "call_indirect needs table 0", at);
          break;
        }
        case OP_LOCAL: {
          uint32_t x = rd_u32(g);
          if (x >= locals) fail_fn_num_at(g, fn, "local index ", x, " out of range", at);
          break;
        }
        case OP_GLOBAL: {
          uint32_t x = rd_u32(g);
          if (x >= g->nglobals) fail_fn_num_at(g, fn, "global index ", x, " out of range", at);
          break;
        }
        case OP_MEM: {
          uint32_t align = rd_u32(g);
          rd_u32(g);
          if (g->nmemories == 0) fail_fn_at(g, fn, "a memory access, but the module has no memory", at);
          if (align > k_natural_align[op - 0x28]) fail_fn_num_at(g, fn, "alignment 2^", align, " exceeds the access size", at);
          break;
        }
        case OP_MEMBYTE: {
          uint8_t m = rd_byte(g);
          if (g->nmemories == 0 || m != 0) fail_fn_at(g, fn, op == 0x3f ? "memory.size needs memory 0" : "memory.grow needs memory 0", at);
          break;
        }
        case OP_I32: rd_sleb(g, 32); break;
        case OP_I64: rd_sleb(g, 64); break;
        case OP_F32: skip(g, 4); break;
        case OP_F64: skip(g, 8); break;
        case OP_PREFIX: {
          uint32_t sub = rd_u32(g);
          if (sub <= 7) break;
          if (sub == 10 || sub == 11) {
            if (rd_byte(g) != 0 || (sub == 10 && rd_byte(g) != 0) || g->nmemories == 0)
              fail_fn_at(g, fn, sub == 10 ? "memory.copy needs memory 0" : "memory.fill needs memory 0", at);
            break;
          }
          fail_fn_num_at(g, fn, "unsupported opcode 0xfc ", sub, "", at);
          break;
        }
        default: {
          FAIL_BEGIN(g);
          m_fn(M, fn);
          m_str(M, "unsupported opcode ");
          m_hex2(M, op);
          m_str(M, " (byte ");
          m_u64(M, at);
          m_str(M, ")");
          fail_now(g);
        }
      }
      if (depth == 0) break;
    }
    if (max_depth > COOP_GATE_MAX_NESTING) {
      FAIL_BEGIN(g);
      m_str(M, "block nesting ");
      m_u64(M, max_depth);
      m_str(M, " exceeds the limit ");
      m_u64(M, COOP_GATE_MAX_NESTING);
      m_str(M, " (function ");
      m_u64(M, fn);
      m_str(M, ")");
      fail_now(g);
    }
    if (size > COOP_GATE_MAX_FUNCTION_BYTES) {
      FAIL_BEGIN(g);
      m_fn(M, fn);
      m_str(M, "body of ");
      m_u64(M, size);
      m_str(M, " bytes exceeds the limit ");
      m_u64(M, COOP_GATE_MAX_FUNCTION_BYTES);
      fail_now(g);
    }
    g->end = sec_end;
  }
}

/* ---- the module ------------------------------------------------------------- */

/* Index into the export section of the export named `name`, or -1. */
static int find_export(gate_t *g, const char *name, uint8_t *kind, uint32_t *index) {
  uint32_t p = g->exp_sec;
  for (uint32_t k = 0; k < g->nexports; k++) {
    uint32_t l = rd_known(g->b, &p);
    int hit = name_is(g->b + p, l, name);
    p += l;
    uint8_t kd = g->b[p++];
    uint32_t ix = rd_known(g->b, &p);
    if (hit) {
      *kind = kd;
      *index = ix;
      return (int)k;
    }
  }
  return -1;
}

static void finish(gate_t *g) {
  if (!g->saw_code && g->ndefined) {
    FAIL_BEGIN(g);
    m_str(M, "the code section has 0 bodies for ");
    m_u64(M, g->ndefined);
    m_str(M, " functions");
    fail_now(g);
  }
  if (g->data_count > 0 && !g->saw_data) fail_data_count(g, 0);
  uint8_t kind;
  uint32_t index;
  uint32_t nmissing = 0, nfn_missing = 0;
  int mem_missing = find_export(g, "memory", &kind, &index) < 0;
  nmissing += (uint32_t)mem_missing;
  for (uint32_t k = 0; k < N_ABI_EXPORTS; k++)
    if (find_export(g, k_exports[k].name, &kind, &index) < 0) nfn_missing++;
  nmissing += nfn_missing;
  if (nfn_missing == N_ABI_EXPORTS) {
    FAIL_BEGIN(g);
    m_str(M, "not a coop firmware: none of the board ABI exports (coop_abi_version, coop_step, ...) is present");
    fail_now(g);
  }
  if (nmissing) {
    FAIL_BEGIN(g);
    m_str(M, nmissing > 1 ? "not a coop firmware: missing ABI exports " : "not a coop firmware: missing ABI export ");
    int first = 1;
    if (mem_missing) {
      m_str(M, "memory");
      first = 0;
    }
    for (uint32_t k = 0; k < N_ABI_EXPORTS; k++)
      if (find_export(g, k_exports[k].name, &kind, &index) < 0) {
        if (!first) m_str(M, ", ");
        m_str(M, k_exports[k].name);
        first = 0;
      }
    fail_now(g);
  }
  find_export(g, "memory", &kind, &index);
  if (kind != 2) {
    FAIL_BEGIN(g);
    m_str(M, "not a coop firmware: export `memory` is not a memory");
    fail_now(g);
  }
  for (uint32_t k = 0; k < N_ABI_EXPORTS; k++) {
    find_export(g, k_exports[k].name, &kind, &index);
    if (kind != 0) {
      FAIL_BEGIN(g);
      m_str(M, "export ");
      m_str(M, k_exports[k].name);
      m_str(M, " is not a function");
      fail_now(g);
    }
    char got[COOP_GATE_MAX_PARAMS + 4];
    type_sig(g, func_type(g, index), got);
    if (strcmp(got, k_exports[k].sig) != 0) {
      FAIL_BEGIN(g);
      m_str(M, "export ");
      m_str(M, k_exports[k].name);
      m_str(M, " has the wrong signature ");
      m_sig(M, got);
      m_str(M, ", board ABI v1 has ");
      m_sig(M, k_exports[k].sig);
      fail_now(g);
    }
  }
}

int coop_gate_check(const uint8_t *wasm, uint32_t len, uint32_t memory_limit, char *why, uint32_t why_cap) {
  static char dummy[2];
  if (!why || why_cap == 0) {
    why = dummy;
    why_cap = sizeof dummy;
  }
  gate_t *g = &G;
  memset(g, 0, sizeof *g);
  g->b = wasm;
  g->len = len;
  g->pos = 8;
  g->end = len;
  g->sec = "module";
  g->mem_limit = memory_limit;
  g->data_count = -1;
  g->m.buf = why;
  g->m.cap = why_cap;
  g->m.len = 0;
  why[0] = 0;
  if (setjmp(g->jb)) return 1;

  if (!wasm || len < 8 || memcmp(wasm, "\0asm", 4) != 0) {
    m_str(&g->m, "not a WebAssembly module (no \\0asm header)");
    return 1;
  }
  uint32_t version = (uint32_t)wasm[4] | ((uint32_t)wasm[5] << 8) | ((uint32_t)wasm[6] << 16) | ((uint32_t)wasm[7] << 24);
  if (version != 1) {
    m_str(&g->m, "unsupported WebAssembly binary version ");
    m_u64(&g->m, version);
    return 1;
  }
  if (len > COOP_GATE_MAX_MODULE_BYTES) {
    m_str(&g->m, "the module is ");
    m_u64(&g->m, len);
    m_str(&g->m, " bytes, over the limit ");
    m_u64(&g->m, COOP_GATE_MAX_MODULE_BYTES);
    return 1;
  }
  uint8_t last_rank = 0;
  while (g->pos < len) {
    g->sec = "module";
    g->end = len;
    uint32_t at = g->pos;
    uint8_t id = rd_byte(g);
    if (id > 12) {
      m_str(&g->m, "unknown section id ");
      m_u64(&g->m, id);
      m_str(&g->m, " at byte ");
      m_u64(&g->m, at);
      return 1;
    }
    const char *name = k_section_names[id];
    uint32_t size = rd_u32(g);
    if (size > len - g->pos) {
      m_str(&g->m, name);
      m_str(&g->m, " section at byte ");
      m_u64(&g->m, at);
      m_str(&g->m, ": its size ");
      m_u64(&g->m, size);
      m_str(&g->m, " runs past the end of the module");
      return 1;
    }
    if (id != 0) {
      if (k_section_rank[id] <= last_rank) {
        m_str(&g->m, name);
        m_str(&g->m, " section at byte ");
        m_u64(&g->m, at);
        m_str(&g->m, " is out of order or repeated");
        return 1;
      }
      last_rank = k_section_rank[id];
    }
    g->end = g->pos + size;
    {
      msg_t s = {g->sec_buf, sizeof g->sec_buf, 0};
      m_str(&s, name);
      m_str(&s, " section");
      g->sec = g->sec_buf;
    }
    switch (id) {
      case 0: sec_custom(g, at); break;
      case 1: sec_type(g); break;
      case 2: sec_import(g); break;
      case 3: sec_function(g); break;
      case 4: sec_table(g); break;
      case 5: sec_memory(g); break;
      case 6: sec_global(g); break;
      case 7: sec_export(g); break;
      case 8: {
        uint32_t f = rd_u32(g);
        m_str(&g->m, "the module has a wasm start function (function ");
        m_u64(&g->m, f);
        m_str(&g->m, "); a coop board calls _start itself, after the ABI version check");
        return 1;
      }
      case 9: sec_element(g); break;
      case 10: sec_code(g); break;
      case 11: sec_data(g); break;
      case 12: g->data_count = rd_u32(g); break;
    }
    if (g->pos != g->end) {
      m_str(&g->m, name);
      m_str(&g->m, " section at byte ");
      m_u64(&g->m, at);
      m_str(&g->m, ": ");
      m_u64(&g->m, g->end - g->pos);
      m_str(&g->m, " bytes left over");
      return 1;
    }
  }
  g->sec = "module";
  finish(g);
  return 0;
}
