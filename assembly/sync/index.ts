// coop/sync public API: import from "../sync" (firmware) or
// "../../assembly/sync" (specs). See docs/sync.md.

export { E_FULL, E_CLOSED, E_NOT_HELD, E_INVALID, zeroOf } from "./errors";
export { Waiter, WaitQueue, GRANT_NONE, GRANT_ONE, GRANT_ALL } from "./waitqueue";
export { Channel, ChannelOp, Send, Recv } from "./channel";
export { Signal, SignalWait } from "./signal";
export { Notify, Notified } from "./notify";
export { Oneshot, OneshotRecv } from "./oneshot";
export { Mutex, Lock } from "./mutex";
export { Semaphore, Acquire } from "./semaphore";
export { Watch, WatchReceiver } from "./watch";
export { PubSub, Subscriber } from "./pubsub";
export { Pipe, PipeWrite, PipeRead } from "./pipe";
export {
  ITEM, PENDING, DONE, SENT, DRIVER_BATCH, Stream, Sink,
  RecvStream, TickerStream, Next, MapStream, FilterStream, TakeStream,
  ForEach, Fold, SendSink, Forward,
} from "./stream";
