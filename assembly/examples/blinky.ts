// The smallest useful firmware: two tasks. `blinky` toggles the LED every
// 500 ms; `button` waits for edges on the button pin and mirrors it on a
// second LED. Build: npm run build (writes build/blinky.wasm). It is also the
// size benchmark of the core (docs/runtime.md: "Measurements").
//
// Each task is an async function. The code before its first await runs once,
// when the function is called for spawn: that is where it builds the futures
// it waits on, which are reused on every round, so nothing is allocated after
// start-up. The build turns each function into a state machine (a Future
// class), the same thing Rust's compiler makes of an `async fn`.

export * from "../coop/abi";
import { Ticker, WaitIrq, millis, spawn, gpio_write, gpio_read, gpio_irq, IRQ_GPIO_BASE, pinNamed } from "../coop";

// The board file's names (boards/sim-devkit.json: pins 0, 1, 2), resolved once
// at start-up; a board without one of them stops the firmware there, naming it.
const LED = pinNamed("LED");
const LED2 = pinNamed("LED2");
const BUTTON = pinNamed("BUTTON");

async function blinky(): Promise<void> {
  // A Ticker, not a Sleep: its ticks stay on the 500 ms grid however late a poll is.
  const tick = new Ticker(millis(500));
  let level: u32 = 0;
  while (true) {
    await tick; // the ticker wakes the task at the next tick
    level ^= 1;
    gpio_write(LED, level);
  }
}

async function button(): Promise<void> {
  const edge = new WaitIrq(IRQ_GPIO_BASE + <i32>BUTTON);
  gpio_irq(BUTTON, 3); // both edges, armed once
  while (true) {
    await edge; // waits for IRQ line GPIO0 + BUTTON
    gpio_write(LED2, <u32>gpio_read(BUTTON));
  }
}

// Top-level code runs once, in _start: spawn order sets priority (slot 0 first).
spawn(blinky());
spawn(button());
