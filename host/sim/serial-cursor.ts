// The serial cursor of wait-serial, shared by every scenario target (the
// simulator's host/sim/target.ts and the real-time byte streams of
// host/hil/stream.ts): UART output is decoded as it arrives, a match is
// searched after the cursor, and a match moves the cursor past itself, so
// the next wait-serial never sees the same text twice.

export class SerialCursor {
  /** wait-serial looks at most this far back (keeps long waits linear). */
  static readonly WINDOW = 65536;
  /** Output after the cursor, decoded (at most WINDOW characters: older text is dropped). */
  private pending = "";
  /** Bytes fed so far (a target that keeps the whole output feeds what is past this). */
  fed = 0;
  private readonly decoder = new TextDecoder();

  /** More output bytes (streaming decode: a UTF-8 sequence split across calls is fine). */
  feed(bytes: Uint8Array): void {
    if (!bytes.length) return;
    this.fed += bytes.length;
    this.pending += this.decoder.decode(bytes, { stream: true });
    if (this.pending.length > SerialCursor.WINDOW) this.pending = this.pending.slice(-SerialCursor.WINDOW);
  }

  /** Search after the cursor; on a match move the cursor past it and return the matched text. */
  match(re: RegExp): string | null {
    const m = re.exec(this.pending);
    if (!m) return null;
    this.pending = this.pending.slice(m.index + m[0].length);
    return m[0];
  }
}
