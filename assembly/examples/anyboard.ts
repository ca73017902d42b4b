// One firmware for every board: it names what it uses (the LED, the BUTTON,
// the POT channel, UART0) as the board file does, and never a number, so the
// same .wasm blinks pin 0 on sim-devkit and pin 5 on tiny-m0 (and on the
// native runner's pin 0). Each name is resolved once, at start-up; a board
// that lacks one stops the firmware there with a report that names it.
//
//   blink   toggles the LED every 500 ms
//   button  prints "button <level>" on UART0 at each edge of the BUTTON pin
//   pot     prints "pot <0..4095>" on UART0 once a second
//
// Build: npm run build (build/anyboard.wasm). Try:
//   npx coop run build/anyboard.wasm --board tiny-m0 --until 3s --vcd led.vcd

export * from "../coop/abi";
import { Ticker, millis, spawn } from "../coop";
import { OutputPin, WaitEdge, AdcRead, Uart, UartWrite, OK } from "../hal";

const led = OutputPin.named("LED");
const uart0 = Uart.named("UART0", 16);

async function blink(): Promise<void> {
  const tick = new Ticker(millis(500));
  while (true) {
    await tick;
    led.toggle();
  }
}

async function button(): Promise<void> {
  const edge: WaitEdge = WaitEdge.named("BUTTON");
  const out = new UartWrite(uart0, 16);
  while (true) {
    await edge;
    if (edge.error != OK) return;
    await out.str("button ").int(edge.level).nl();
  }
}

async function pot(): Promise<void> {
  const tick = new Ticker(millis(1000));
  const adc: AdcRead = AdcRead.named("POT");
  const out = new UartWrite(uart0, 24);
  while (true) {
    await tick;
    await adc;
    if (adc.error != OK) return;
    await out.str("pot ").int(adc.value).nl();
  }
}

spawn(blink());
spawn(button());
spawn(pot());
