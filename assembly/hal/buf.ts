// ByteBuf: a fixed-capacity byte buffer with formatting helpers, so drivers
// and firmware can build text (numbers included) without allocating after
// init. Strings are AssemblyScript UTF-16; they are encoded to UTF-8 here.

import { encodeUtf8 } from "../coop/text";

/**
 * A byte buffer of fixed capacity, allocated once at construction. Appends
 * that do not fit are cut (whole characters only) and set `truncated`; they
 * never allocate and never fail otherwise.
 */
export class ByteBuf {
  /** Bytes in use, from `ptr`. */
  len: i32 = 0;
  /** Set when an append did not fit; cleared by `clear()`. */
  truncated: bool = false;
  private data: StaticArray<u8>;

  constructor(public readonly capacity: i32) {
    this.data = new StaticArray<u8>(capacity);
  }

  /** Address of the first byte (stable: the storage never moves). */
  get ptr(): usize {
    return changetype<usize>(this.data);
  }

  /** Bytes still free. */
  get room(): i32 {
    return this.capacity - this.len;
  }

  clear(): ByteBuf {
    this.len = 0;
    this.truncated = false;
    return this;
  }

  /** The byte at i (0 <= i < len), or -1 outside. */
  at(i: i32): i32 {
    return <u32>i < <u32>this.len ? <i32>unchecked(this.data[i]) : -1;
  }

  byte(b: u32): ByteBuf {
    if (this.len < this.capacity) unchecked(this.data[this.len++] = <u8>b);
    else this.truncated = true;
    return this;
  }

  /** Append n bytes copied from memory at p. */
  bytes(p: usize, n: i32): ByteBuf {
    if (n <= 0) return this;
    let k = n;
    if (k > this.room) { k = this.room; this.truncated = true; }
    memory.copy(this.ptr + this.len, p, k);
    this.len += k;
    return this;
  }

  /** Append another buffer's bytes [from, to). */
  slice(src: ByteBuf, from: i32, to: i32): ByteBuf {
    if (from < 0) from = 0;
    if (to > src.len) to = src.len;
    return to > from ? this.bytes(src.ptr + from, to - from) : this;
  }

  /** Append a string as UTF-8. */
  str(s: string): ByteBuf {
    const n = encodeUtf8(s, this.ptr + this.len, this.room);
    this.len += n;
    if (n < utf8Length(s)) this.truncated = true;
    return this;
  }

  /** Append a signed decimal integer. */
  int(v: i64): ByteBuf {
    if (v < 0) {
      // i64.MIN_VALUE has no positive i64: go through u64.
      const start = this.len;
      this.byte(0x2d); // '-'
      const l = this.len;
      this.uint(<u64>(-(v + 1)) + 1);
      if (this.len == l) this.len = start; // the digits did not fit: no lone '-'
      return this;
    }
    return this.uint(<u64>v);
  }

  /** Append an unsigned decimal integer. */
  uint(v: u64): ByteBuf {
    // Digits come out least significant first: count them, then fill backwards.
    let digits = 1;
    for (let t = v / 10; t != 0; t /= 10) digits++;
    if (digits > this.room) { this.truncated = true; return this; }
    let p = this.len + digits;
    this.len = p;
    do {
      unchecked(this.data[--p] = <u8>(0x30 + <u32>(v % 10)));
      v /= 10;
    } while (v != 0);
    return this;
  }

  /**
   * Append v / 10^decimals with exactly `decimals` fraction digits (v >= 0 or
   * < 0; i64.MIN_VALUE included). decimals: 0..19 (u64 holds 10^19; a
   * negative value is taken as 0).
   */
  fixed(v: i64, decimals: i32): ByteBuf {
    let scale: u64 = 1;
    for (let i = 0; i < decimals; i++) scale *= 10;
    // The magnitude as u64: -i64.MIN_VALUE has no i64.
    let m: u64 = <u64>v;
    if (v < 0) { this.byte(0x2d); m = <u64>(-(v + 1)) + 1; }
    this.uint(m / scale);
    if (decimals > 0) {
      this.byte(0x2e); // '.'
      let frac = m % scale;
      for (let d = scale / 10; d > 0; d /= 10) {
        this.byte(0x30 + <u32>(frac / d));
        frac %= d;
      }
    }
    return this;
  }

  /**
   * Append v in lowercase hexadecimal, without prefix, zero-padded to at
   * least `digits` digits (at most 16 are written).
   */
  hex(v: u64, digits: i32 = 1): ByteBuf {
    let n = 1;
    for (let t = v >> 4; t != 0; t >>= 4) n++;
    if (digits > 16) digits = 16;
    if (n < digits) n = digits;
    if (n > this.room) { this.truncated = true; return this; }
    let p = this.len + n;
    this.len = p;
    for (let i = 0; i < n; i++) {
      const d = <u32>(v & 15);
      unchecked(this.data[--p] = <u8>(d < 10 ? 0x30 + d : 0x57 + d));
      v >>= 4;
    }
    return this;
  }

  /** True if bytes [from, from + s.length) equal the ASCII string s. */
  matches(s: string, from: i32 = 0): bool {
    const n = s.length;
    if (from < 0 || from + n > this.len) return false;
    for (let i = 0; i < n; i++) {
      if (<u32>unchecked(this.data[from + i]) != <u32>s.charCodeAt(i)) return false;
    }
    return true;
  }

  /** True if the buffer holds exactly the ASCII string s. */
  equals(s: string): bool {
    return this.len == s.length && this.matches(s, 0);
  }
}

/** Bytes of s encoded as UTF-8 (as coop/text's encodeUtf8 encodes it). */
export function utf8Length(s: string): i32 {
  let n = 0;
  for (let i = 0, l = s.length; i < l; i++) {
    const c = <u32>s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < l && <u32>s.charCodeAt(i + 1) >= 0xdc00 && <u32>s.charCodeAt(i + 1) < 0xe000) { n += 4; i++; }
    else n += 3;
  }
  return n;
}

/** Is b an ASCII space or tab. */
export function isBlank(b: i32): bool {
  return b == 0x20 || b == 0x09;
}

/**
 * Parse a non-negative decimal integer in buf[from, to). Returns the value, or
 * -1 if the range is empty, holds a non-digit, or exceeds i32.
 */
export function parseUint(buf: ByteBuf, from: i32, to: i32): i32 {
  if (from >= to) return -1;
  let v: i64 = 0;
  for (let i = from; i < to; i++) {
    const c = buf.at(i);
    if (c < 0x30 || c > 0x39) return -1;
    v = v * 10 + (c - 0x30);
    if (v > <i64>i32.MAX_VALUE) return -1;
  }
  return <i32>v;
}

/** What parseInt32 returns for a range that is not a signed decimal i32 (outside every i32 value). */
export const NOT_AN_INT: i64 = i64.MIN_VALUE;

/**
 * Parse a signed decimal integer in buf[from, to): an optional `-` or `+`,
 * then at least one digit. Returns the value (any i32, as an i64), or
 * NOT_AN_INT if the range is empty, holds anything else, or the value does
 * not fit an i32 (-2147483648 does; 2147483648 does not). Allocates nothing.
 */
export function parseInt32(buf: ByteBuf, from: i32, to: i32): i64 {
  let i = from;
  let negative = false;
  if (i < to) {
    const c = buf.at(i);
    if (c == 0x2d || c == 0x2b) { negative = c == 0x2d; i++; }
  }
  if (i >= to) return NOT_AN_INT;
  const limit: i64 = negative ? -<i64>i32.MIN_VALUE : <i64>i32.MAX_VALUE;
  let v: i64 = 0;
  for (; i < to; i++) {
    const c = buf.at(i);
    if (c < 0x30 || c > 0x39) return NOT_AN_INT;
    v = v * 10 + (c - 0x30);
    if (v > limit) return NOT_AN_INT;
  }
  return negative ? -v : v;
}
