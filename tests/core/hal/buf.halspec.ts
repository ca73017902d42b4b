import { ByteBuf, parseUint, parseInt32, NOT_AN_INT, utf8Length } from "../../../assembly/hal";

const signedBuf = new ByteBuf(32);
function p(t: string): i64 {
  signedBuf.clear().str(t);
  return parseInt32(signedBuf, 0, signedBuf.len);
}

function text(b: ByteBuf): string {
  return String.UTF8.decodeUnsafe(b.ptr, <usize>b.len);
}

describe("ByteBuf", () => {
  it("formats integers, including the extremes", () => {
    const b = new ByteBuf(64);
    b.int(0).byte(0x20).int(-7).byte(0x20).int(1234567890123).byte(0x20).int(i64.MIN_VALUE);
    expect(text(b)).toBe("0 -7 1234567890123 -9223372036854775808");
    b.clear().uint(u64.MAX_VALUE);
    expect(text(b)).toBe("18446744073709551615");
  });

  it("formats fixed-point values", () => {
    const b = new ByteBuf(32);
    b.fixed(2345, 2).byte(0x20).fixed(-200, 2).byte(0x20).fixed(5, 3).byte(0x20).fixed(12, 0);
    expect(text(b)).toBe("23.45 -2.00 0.005 12");
    b.clear().fixed(i64.MIN_VALUE, 3);
    expect(text(b)).toBe("-9223372036854775.808");
  });

  it("formats hexadecimal, zero-padded", () => {
    const b = new ByteBuf(48);
    b.hex(0).byte(0x20).hex(0xbeef).byte(0x20).hex(0x2a, 4).byte(0x20).hex(u64.MAX_VALUE).byte(0x20).hex(1, 99);
    expect(text(b)).toBe("0 beef 002a ffffffffffffffff 0000000000000001");
    b.clear().str("abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqr").hex(0x12345); // 44 + 5 > 48: all or nothing
    expect(b.len).toBe(44);
    expect(b.truncated).toBe(true);
  });

  it("cuts what does not fit and says so", () => {
    const b = new ByteBuf(5);
    b.str("abc");
    expect(b.truncated).toBe(false);
    b.str("def");
    expect(text(b)).toBe("abcde");
    expect(b.truncated).toBe(true);
    b.clear().str("ab").uint(12345); // a number is all or nothing
    expect(text(b)).toBe("ab");
    expect(b.truncated).toBe(true);
    b.clear().str("ab").int(-123); // sign included: no lone '-'
    expect(text(b)).toBe("ab");
    b.clear().str("a").int(-123);
    expect(text(b)).toBe("a-123");
    b.clear().str("é€x"); // 2 + 3 bytes fit, "x" does not
    expect(b.len).toBe(5);
    expect(b.truncated).toBe(true);
    expect(utf8Length("é€x")).toBe(6);
  });

  it("compares and parses", () => {
    const b = new ByteBuf(16);
    b.str("adc 12");
    expect(b.matches("adc")).toBe(true);
    expect(b.matches("12", 4)).toBe(true);
    expect(b.matches("123", 4)).toBe(false);
    expect(b.equals("adc 12")).toBe(true);
    expect(b.equals("adc")).toBe(false);
    expect(parseUint(b, 4, 6)).toBe(12);
    expect(parseUint(b, 0, 3)).toBe(-1);
    expect(parseUint(b, 6, 6)).toBe(-1);
    b.clear().str("99999999999");
    expect(parseUint(b, 0, b.len)).toBe(-1);
  });

  it("parses signed integers: a sign, digits, the whole i32 range and nothing past it", () => {
    const b = signedBuf;
    expect(p("0")).toBe(0);
    expect(p("-17")).toBe(-17);
    expect(p("+42")).toBe(42);
    expect(p("2147483647")).toBe(2147483647);
    expect(p("-2147483648")).toBe(-2147483648);
    expect(p("2147483648")).toBe(NOT_AN_INT);
    expect(p("-2147483649")).toBe(NOT_AN_INT);
    expect(p("99999999999999999999")).toBe(NOT_AN_INT);
    expect(p("")).toBe(NOT_AN_INT);
    expect(p("-")).toBe(NOT_AN_INT);
    expect(p("+")).toBe(NOT_AN_INT);
    expect(p("--1")).toBe(NOT_AN_INT);
    expect(p("1-")).toBe(NOT_AN_INT);
    expect(p(" 1")).toBe(NOT_AN_INT);
    b.clear().str("set -5 now");
    expect(parseInt32(b, 4, 6)).toBe(-5);
    expect(parseInt32(b, 4, 4)).toBe(NOT_AN_INT);
  });
});
