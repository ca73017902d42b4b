import {
  OutputPin, WaitEdge, AdcRead, BusTransfer, Ts1Read, OK, E_DEVICE,
  BOARD_EBADPORT, EDGE_RISING, EDGE_BOTH, Uart, UartRxStream, EdgeStream,
  pinNamed, busDeviceNamed, optionalPin, optionalAdcChannel, ABSENT,
} from "../../../assembly/hal";
import { ITEM, PENDING, DONE } from "../../../assembly/sync/stream";
import { gpioLevel, heapTop } from "../fake";
import {
  W, deliver, woken, rxStr, gpioIrqMode, gpioInput, adcSet, adcFinish, adcRunning, adcStarts,
  busReg, busAddr, busFinish, busTransfers,
} from "./halfake";

describe("OutputPin", () => {
  it("sets and toggles, remembering the level", () => {
    const led = new OutputPin(0);
    expect(led.set(1)).toBe(0);
    expect(gpioLevel(0)).toBe(1);
    led.toggle();
    expect(gpioLevel(0)).toBe(0);
    led.toggle();
    expect(gpioLevel(0)).toBe(1);
    expect(new OutputPin(40).toggle()).toBe(BOARD_EBADPORT);
  });
});

describe("board-file names", () => {
  it("take the board's numbers (the fake board: LED 5, BUTTON 6, POT 2, UART1 1, TS1 0x48)", () => {
    const led = OutputPin.named("LED");
    expect(led.pin).toBe(5);
    expect(led.set(1)).toBe(0);
    expect(gpioLevel(5)).toBe(1);
    expect(WaitEdge.named("BUTTON", EDGE_RISING).pin).toBe(6);
    expect(WaitEdge.named("BUTTON").edges).toBe(EDGE_BOTH);
    expect(AdcRead.named("POT").channel).toBe(2);
    expect(Uart.named("UART1", 8).port).toBe(1);
    expect(pinNamed("BUTTON")).toBe(6);
    expect(busDeviceNamed("TS1")).toBe(0x48);
  });
  it("optional names give ABSENT for a part the board lacks, and a driver on it answers EBADPORT", () => {
    expect(optionalPin("LED")).toBe(5);
    expect(optionalPin("LED2")).toBe(ABSENT);
    expect(optionalAdcChannel("VBAT")).toBe(ABSENT);
    const adc = new AdcRead(optionalAdcChannel("VBAT"));
    expect(adc.poll(W)).toBe(true);
    expect(adc.error).toBe(BOARD_EBADPORT);
  });
});

describe("WaitEdge", () => {
  it("arms the pin at the first poll and completes at the next edge with the new level", () => {
    deliver(); woken();
    const e = new WaitEdge(2, EDGE_BOTH);
    expect(gpioIrqMode(2)).toBe(0);
    expect(e.poll(W)).toBe(false);
    expect(gpioIrqMode(2)).toBe(EDGE_BOTH);
    deliver();
    expect(woken()).toBe(false);
    gpioInput(2, 1);
    deliver();
    expect(woken()).toBe(true);
    expect(e.poll(W)).toBe(true);
    expect(e.error).toBe(OK);
    expect(e.level).toBe(1);
  });

  it("keeps an edge that happens between two waits", () => {
    const e = new WaitEdge(3, EDGE_RISING);
    expect(e.poll(W)).toBe(false);
    gpioInput(3, 1);
    deliver();
    expect(e.poll(W)).toBe(true);
    gpioInput(3, 0); // falling: not armed, no edge
    gpioInput(3, 1); // rising while nobody waits
    deliver();
    expect(e.poll(W)).toBe(true);
    expect(e.poll(W)).toBe(false); // and only once
  });

  it("cancel disarms the pin and forgets a kept edge", () => {
    const e = new WaitEdge(4, EDGE_RISING);
    expect(e.poll(W)).toBe(false);
    e.cancel();
    expect(gpioIrqMode(4)).toBe(0);
    gpioInput(4, 1); // disarmed: no interrupt
    deliver();
    expect(e.poll(W)).toBe(false);
    expect(gpioIrqMode(4)).toBe(EDGE_RISING);
  });

  it("reports a pin the board does not have", () => {
    const e = new WaitEdge(20);
    expect(e.poll(W)).toBe(true);
    expect(e.error).toBe(BOARD_EBADPORT);
  });
});

describe("AdcRead", () => {
  it("starts a conversion, waits for the ADC interrupt, reads the result", () => {
    deliver(); woken();
    const a = new AdcRead(1);
    adcSet(1, 1234);
    expect(a.poll(W)).toBe(false);
    expect(adcRunning()).toBe(1);
    deliver();
    expect(woken()).toBe(false);
    adcFinish();
    deliver();
    expect(woken()).toBe(true);
    expect(a.poll(W)).toBe(true);
    expect(a.error).toBe(OK);
    expect(a.value).toBe(1234);
  });

  it("shares the converter: a second reader waits for the first and then converts", () => {
    const a = new AdcRead(0);
    const b = new AdcRead(2);
    adcSet(0, 100);
    adcSet(2, 200);
    expect(a.poll(W)).toBe(false);
    expect(b.poll(W + 1)).toBe(false); // EBUSY: waits for the interrupt
    adcFinish();
    deliver();
    expect(b.poll(W + 1)).toBe(false); // now starts its own conversion
    expect(adcRunning()).toBe(2);
    expect(a.poll(W)).toBe(true);
    expect(a.value).toBe(100);
    adcFinish();
    deliver();
    expect(b.poll(W + 1)).toBe(true);
    expect(b.value).toBe(200);
  });

  it("after a cancel mid-conversion, waits that conversion out instead of returning its stale result", () => {
    const a = new AdcRead(3);
    adcSet(3, 111);
    expect(a.poll(W)).toBe(false);
    a.cancel();
    adcSet(3, 222);
    adcFinish(); // the abandoned conversion ends (with 222 sampled at its end)
    deliver();
    const starts = adcStarts();
    adcSet(3, 333);
    expect(a.poll(W)).toBe(false); // consumed the old interrupt, started anew
    expect(adcStarts()).toBe(starts + 1);
    adcFinish();
    deliver();
    expect(a.poll(W)).toBe(true);
    expect(a.value).toBe(333);
  });

  it("reports a channel the board does not have", () => {
    const a = new AdcRead(9);
    expect(a.poll(W)).toBe(true);
    expect(a.error).toBe(BOARD_EBADPORT);
  });
});

describe("BusTransfer and Ts1Read", () => {
  it("writes the register, reads the bytes back", () => {
    deliver(); woken();
    busReg(0x10, 0xab);
    busReg(0x11, 0xcd);
    const x = new BusTransfer(0x48, 2, 4);
    x.out.byte(0x10);
    x.readLen = 2;
    expect(x.poll(W)).toBe(false);
    expect(x.poll(W)).toBe(false); // a spurious poll while it runs
    busFinish();
    deliver();
    expect(woken()).toBe(true);
    expect(x.poll(W)).toBe(true);
    expect(x.error).toBe(OK);
    expect(x.input.len).toBe(2);
    expect(x.input.at(0)).toBe(0xab);
    expect(x.input.at(1)).toBe(0xcd);
  });

  it("reads the TS1 temperature after checking its ID", () => {
    busReg(0x00, 0xff); // -200 = -2.00 C
    busReg(0x01, 0x38);
    busReg(0x03, 0x54);
    const t = new Ts1Read();
    const before = busTransfers();
    expect(t.poll(W)).toBe(false);
    busFinish(); deliver();
    expect(t.poll(W)).toBe(false); // ID ok, temperature transfer started
    busFinish(); deliver();
    expect(t.poll(W)).toBe(true);
    expect(t.error).toBe(OK);
    expect(t.centiC).toBe(-200);
    expect(busTransfers()).toBe(before + 2);
    // Later reads skip the ID check.
    expect(t.poll(W)).toBe(false);
    busFinish(); deliver();
    expect(t.poll(W)).toBe(true);
    expect(busTransfers()).toBe(before + 3);
  });

  it("reports a wrong device and a missing one", () => {
    busReg(0x03, 0x11);
    const t = new Ts1Read();
    expect(t.poll(W)).toBe(false);
    busFinish(); deliver();
    expect(t.poll(W)).toBe(true);
    expect(t.error).toBe(E_DEVICE);
    busAddr(0x10); // nothing answers at 0x48 now
    expect(t.poll(W)).toBe(false);
    busFinish(); deliver();
    expect(t.poll(W)).toBe(true);
    expect(t.error).toBe(BOARD_EBADPORT);
    busAddr(0x48);
    busReg(0x03, 0x54);
  });
});

describe("re-arm forms: AdcRead.read, BusTransfer's fluent setup", () => {
  it("AdcRead.read(ch) picks the channel of the next conversion; one running keeps its own", () => {
    deliver(); woken();
    const a = new AdcRead(0);
    adcSet(1, 11);
    adcSet(2, 22);
    expect(a.read(1) === a).toBe(true);
    expect(a.poll(W)).toBe(false);
    expect(adcRunning()).toBe(1);
    a.read(2); // while channel 1 converts
    adcFinish(); deliver();
    expect(a.poll(W)).toBe(true);
    expect(a.error).toBe(OK);
    expect(a.value).toBe(11);
    expect(a.poll(W)).toBe(false); // the next conversion: channel 2
    expect(adcRunning()).toBe(2);
    adcFinish(); deliver();
    expect(a.poll(W)).toBe(true);
    expect(a.value).toBe(22);
  });

  it("BusTransfer.reg / at / clear / write / read configure the next transfer and return it", () => {
    deliver(); woken();
    busReg(0x03, 0x54);
    busReg(0x20, 0x12);
    busReg(0x21, 0x34);
    const x = new BusTransfer(0x10, 2, 4);
    expect(x.at(0x48).reg(0x03, 1) === x).toBe(true);
    expect(x.poll(W)).toBe(false);
    busFinish(); deliver();
    expect(x.poll(W)).toBe(true);
    expect(x.error).toBe(OK);
    expect(x.input.len).toBe(1);
    expect(x.input.at(0)).toBe(0x54);
    expect(x.clear().write(0x20).read(2).poll(W)).toBe(false);
    expect(x.out.len).toBe(1);
    busFinish(); deliver();
    expect(x.poll(W)).toBe(true);
    expect(x.input.len).toBe(2);
    expect(x.input.at(0)).toBe(0x12);
    expect(x.input.at(1)).toBe(0x34);
    expect(x.at(0x11).reg(0x03, 1).poll(W)).toBe(false); // nobody at 0x11
    busFinish(); deliver();
    expect(x.poll(W)).toBe(true);
    expect(x.error).toBe(BOARD_EBADPORT);
  });
});

describe("drivers in steady state", () => {
  it("edge waits, conversions and sensor reads do not allocate", () => {
    const e = new WaitEdge(5, EDGE_BOTH);
    const a = new AdcRead(0);
    const t = new Ts1Read();
    const led = new OutputPin(1);
    const h0 = heapTop();
    for (let i = 0; i < 20; i++) {
      e.poll(W); gpioInput(5, i & 1); deliver(); e.poll(W);
      a.poll(W); adcFinish(); deliver(); a.poll(W);
      t.poll(W); busFinish(); deliver(); t.poll(W); busFinish(); deliver(); t.poll(W);
      led.toggle();
    }
    expect(heapTop()).toBe(h0);
    expect(t.error).toBe(OK);
    expect(a.error).toBe(OK);
  });
});

describe("HAL streams", () => {
  it("UartRxStream yields each received byte, then waits", () => {
    const s = new UartRxStream(new Uart(1, 4));
    expect(s.pollNext(W)).toBe(PENDING);
    rxStr(1, "hi");
    deliver();
    expect(woken()).toBe(true);
    expect(s.pollNext(W)).toBe(ITEM);
    expect(s.item).toBe(0x68);
    expect(s.pollNext(W)).toBe(ITEM);
    expect(s.item).toBe(0x69);
    expect(s.pollNext(W)).toBe(PENDING);
    const bad = new UartRxStream(new Uart(6));
    expect(bad.pollNext(W)).toBe(DONE);
    expect(bad.error).toBe(BOARD_EBADPORT);
  });

  it("EdgeStream yields the level after each edge", () => {
    const s = new EdgeStream(6);
    expect(s.pollNext(W)).toBe(PENDING);
    gpioInput(6, 1);
    deliver();
    expect(s.pollNext(W)).toBe(ITEM);
    expect(s.item).toBe(1);
    gpioInput(6, 0);
    deliver();
    expect(s.pollNext(W)).toBe(ITEM);
    expect(s.item).toBe(0);
    expect(new EdgeStream(30).pollNext(W)).toBe(DONE);
  });
});
