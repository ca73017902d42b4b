// Board files on disk: find one by name or path and read it (bounded, one-line
// errors), with a reader for the files it names (CSV sources, relative to it).
// The parsing and checks are host/sim/board.ts's; this is the Node side.

import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { readBounded, INPUT_LIMITS, InputError } from "./input.js";
import { parseBoard, BoardError, type BoardDesc } from "./sim/board.js";

/** Find a board by name (boards/<name>.json next to the package) or path. */
export function findBoard(nameOrPath: string, root: string): string {
  if (nameOrPath.endsWith(".json") || nameOrPath.includes("/")) return resolve(nameOrPath);
  return resolve(root, "boards", `${nameOrPath}.json`);
}

/** Parse a board file's text (`path` for messages and for the files it names). */
export function boardFromText(text: string, path: string): BoardDesc {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new BoardError(`board file ${path} is not valid JSON: ${(e as Error).message.split("\n")[0]}`);
  }
  let board: BoardDesc;
  try {
    board = parseBoard(raw, path);
  } catch (e) {
    throw new BoardError(`board file ${path}: ${(e as Error).message}`);
  }
  board.readFile = (name) => readBounded(resolve(dirname(path), name), INPUT_LIMITS.csv, "file").toString("utf8");
  return board;
}

export function loadBoard(path: string): BoardDesc {
  if (!existsSync(path)) throw new BoardError(`board file not found: ${path}`);
  let text: string;
  try {
    text = readBounded(path, INPUT_LIMITS.board, "board file").toString("utf8");
  } catch (e) {
    throw new BoardError((e as InputError).message);
  }
  return boardFromText(text, path);
}
