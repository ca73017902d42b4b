// The smallest useful firmware: two tasks. `blinky` toggles the LED every
// 500 ms; `button` waits for edges on the button pin and mirrors it on a
// second LED. Build: npm run build (writes build/blinky.wasm).

export * from "../coop/abi";
import { Future, Waker, Sleep, WaitIrq, millis, spawn, gpio_write, gpio_read, gpio_irq, IRQ_GPIO_BASE } from "../coop";

const LED: u32 = 0;
const LED2: u32 = 1;
const BUTTON: u32 = 2;

class Blinky extends Future {
  private level: u32 = 0;
  private sleep: Sleep = new Sleep(millis(500));

  poll(w: Waker): bool {
    // Loop forever: each time the sleep completes, toggle and sleep again.
    while (this.sleep.poll(w)) {
      this.level ^= 1;
      gpio_write(LED, this.level);
    }
    return false;
  }
}

class Button extends Future {
  private edge: WaitIrq = new WaitIrq(IRQ_GPIO_BASE + <i32>BUTTON);
  private armed: bool = false;

  poll(w: Waker): bool {
    if (!this.armed) {
      gpio_irq(BUTTON, 3); // both edges
      this.armed = true;
    }
    while (this.edge.poll(w)) gpio_write(LED2, <u32>gpio_read(BUTTON));
    return false;
  }
}

spawn(new Blinky(), "blinky");
spawn(new Button(), "button");
