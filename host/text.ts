// Text from firmware (board.log lines, panic messages, task names, serial
// output quoted in reports) may hold any byte. Before it reaches a terminal
// in a report, control characters become '?', as the C embedding does
// (boards/wasm3/coop_wasm3.c, l_bytes): a report line stays one line and
// cannot move the cursor, clear the screen or retitle the window.

/** C0 controls (tab and newline included), DEL and the C1 controls (U+0080..U+009F, e.g. U+009B CSI). */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/** `s` with every control character replaced by '?'. */
export function printable(s: string): string {
  return s.replace(CONTROL, "?");
}

/** Each line of `s` made printable, the line breaks kept (for multi-line reports). */
export function printableLines(s: string): string {
  return s.split("\n").map(printable).join("\n");
}

/** JSON.stringify leaves DEL and the C1 controls raw: escape them too (same value, valid JSON). */
export function jsonSafe(json: string): string {
  return json.replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
