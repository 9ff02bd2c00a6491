/** Where deliveries hand broadcasts: the engine's single fan-out entry. */
export interface DeliveryTarget {
  publish(
    appId: string,
    channels: string[],
    event: string,
    data: string,
    exceptSocketId?: string | null,
  ): void;
}

/** Where deliveries report dropped input; `console` and Nest's `Logger` both fit. */
export interface DeliveryLogger {
  warn(message: string): void;
  error(message: string): void;
}
