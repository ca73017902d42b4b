// coop's HAL: peripheral drivers as reusable futures over the board ABI.
// Firmware imports from "../hal". Every driver object is created at init and
// reused; none allocates afterwards.

export { ByteBuf, parseUint, parseInt32, NOT_AN_INT, isBlank, utf8Length } from "./buf";
export { OK, E_OVERRUN, E_LINE_TOO_LONG, E_DEVICE, E_TRUNCATED, errorName, BOARD_EBADPORT, BOARD_EBADPTR, BOARD_EBUSY, BOARD_ENOTREADY } from "./errors";
export { Uart, UartRxPump, UartRead, UartReadLine, UartWrite, RX_EMPTY, RX_RING_DEFAULT } from "./uart";
export { OutputPin, WaitEdge, readPin, EDGE_RISING, EDGE_FALLING, EDGE_BOTH } from "./gpio";
export { AdcRead } from "./adc";
export { BusTransfer } from "./bus";
export { Ts1Read, TS1_ADDR } from "./ts1";
export { UartRxStream, EdgeStream } from "./streams";
// Board-file names (the core's assembly/coop/names.ts), for firmware that imports only the HAL.
export { pinNamed, adcChannelNamed, uartPortNamed, busDeviceNamed, optionalPin, optionalAdcChannel, ABSENT } from "../coop/names";
