// UTF-8 encoding of strings into a fixed scratch buffer, for the board's
// byte-oriented imports (log, panic). Never allocates; output longer than the
// buffer is cut.

export const SCRATCH_SIZE: i32 = 256;
const scratch = memory.data(SCRATCH_SIZE * 2);

/** Encode s as UTF-8 at dst (at most cap bytes, whole characters only). Returns bytes written. */
export function encodeUtf8(s: string, dst: usize, cap: i32): i32 {
  let n = 0;
  for (let i = 0, len = s.length; i < len; i++) {
    let c = <u32>s.charCodeAt(i);
    if (c >= 0xd800 && c < 0xdc00 && i + 1 < len) {
      const lo = <u32>s.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo < 0xe000) { c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00); i++; }
    }
    const size = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
    if (n + size > cap) break;
    const p = dst + n;
    if (size == 1) store<u8>(p, c);
    else if (size == 2) { store<u8>(p, 0xc0 | (c >> 6)); store<u8>(p, 0x80 | (c & 63), 1); }
    else if (size == 3) { store<u8>(p, 0xe0 | (c >> 12)); store<u8>(p, 0x80 | ((c >> 6) & 63), 1); store<u8>(p, 0x80 | (c & 63), 2); }
    else { store<u8>(p, 0xf0 | (c >> 18)); store<u8>(p, 0x80 | ((c >> 12) & 63), 1); store<u8>(p, 0x80 | ((c >> 6) & 63), 2); store<u8>(p, 0x80 | (c & 63), 3); }
    n += size;
  }
  return n;
}

/** First half of the scratch buffer (SCRATCH_SIZE bytes). */
export function scratchA(): usize { return scratch; }
/** Second half of the scratch buffer (SCRATCH_SIZE bytes). */
export function scratchB(): usize { return scratch + SCRATCH_SIZE; }
