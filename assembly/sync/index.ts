// coop/sync public API: import from "../sync" (firmware) or
// "../../assembly/sync" (specs). See docs/sync.md.

// Not exported (internals: import them from their files): the wait-list
// machinery (Waiter, WaitQueue, GRANT_*), ChannelOp, zeroOf, and the stream
// protocol's codes (ITEM, PENDING, DONE, SENT) and DRIVER_BATCH, which only
// code implementing a Stream or Sink needs (from "./stream"). Firmware takes
// one item of a stream with `Next` (`await next; if (next.ended) ...`).

export { E_FULL, E_CLOSED, E_NOT_HELD, E_INVALID } from "./errors";
export { Channel, Send, Recv } from "./channel";
export { Signal, SignalWait } from "./signal";
export { Notify, Notified } from "./notify";
export { Oneshot, OneshotRecv } from "./oneshot";
export { Mutex, Lock } from "./mutex";
export { Semaphore, Acquire } from "./semaphore";
export { Watch, WatchReceiver } from "./watch";
export { PubSub, Subscriber } from "./pubsub";
export { Pipe, PipeWrite, PipeRead } from "./pipe";
export {
  Stream, Sink,
  RecvStream, TickerStream, Next, MapStream, FilterStream, TakeStream,
  ForEach, Fold, SendSink, Forward,
} from "./stream";
