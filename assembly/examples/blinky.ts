// The smallest useful firmware: two tasks. `blinky` toggles the LED every
// 500 ms; `button` waits for edges on the button pin and mirrors it on a
// second LED. Build: npm run build (writes build/blinky.wasm). It is also the
// size benchmark of the core (docs/runtime.md: "Measurements").
//
// Both tasks are hand-written state machines: a `state` field, a switch, and
// a `poll` that runs until it has to wait (returns false) -- the same thing
// Rust's compiler makes of an `async fn`. Their child futures are built once
// here and reused on every round, so nothing is allocated after start-up.

export * from "../coop/abi";
import { Future, Waker, Ticker, WaitIrq, millis, spawn, gpio_write, gpio_read, gpio_irq, IRQ_GPIO_BASE } from "../coop";

const LED: u32 = 0;
const LED2: u32 = 1;
const BUTTON: u32 = 2;

// Blinky's states.
const WAIT_TICK: i32 = 0; // waiting for the next 500 ms tick
const TOGGLE: i32 = 1;    // tick seen: flip the LED

class Blinky extends Future {
  private state: i32 = WAIT_TICK;
  private level: u32 = 0;
  // A Ticker, not a Sleep: its ticks stay on the 500 ms grid however late a poll is.
  private tick: Ticker = new Ticker(millis(500));

  poll(w: Waker): bool {
    while (true) {
      switch (this.state) {
        case WAIT_TICK:
          if (!this.tick.poll(w)) return false; // the ticker will wake us at the tick
          this.state = TOGGLE;
          break;
        case TOGGLE:
          this.level ^= 1;
          gpio_write(LED, this.level);
          this.state = WAIT_TICK;
          break;
      }
    }
  }

  // Never completes; if aborted, give the timer entry back.
  cancel(): void { this.tick.cancel(); this.state = WAIT_TICK; }
}

// Button's states.
const ARM: i32 = 0;       // enable the pin's edge interrupt (once)
const WAIT_EDGE: i32 = 1; // waiting for IRQ line GPIO0 + BUTTON

class Button extends Future {
  private state: i32 = ARM;
  private edge: WaitIrq = new WaitIrq(IRQ_GPIO_BASE + <i32>BUTTON);

  poll(w: Waker): bool {
    while (true) {
      switch (this.state) {
        case ARM:
          gpio_irq(BUTTON, 3); // both edges
          this.state = WAIT_EDGE;
          break;
        case WAIT_EDGE:
          if (!this.edge.poll(w)) return false;
          gpio_write(LED2, <u32>gpio_read(BUTTON));
          break; // stay in WAIT_EDGE: the next poll of `edge` waits for the next edge
      }
    }
  }

  cancel(): void { this.edge.cancel(); }
}

// Top-level code runs once, in _start: spawn order sets priority (slot 0 first).
spawn(new Blinky(), "blinky");
spawn(new Button(), "button");
