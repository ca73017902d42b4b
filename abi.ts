// `export * from "coop/abi"`: the board ABI exports every firmware entry file needs (see index.ts).
export * from "./assembly/coop/abi";
