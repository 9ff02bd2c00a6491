/**
 * Runs the node's heartbeat (which also sweeps dead nodes) every `intervalMs`, never two at
 * once: a slow Redis delays the next beat instead of piling beats up.
 */
export class NodeHeartbeat {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly intervalMs: number,
    private readonly beat: () => Promise<void>,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.now(), this.intervalMs);
    this.timer.unref();
  }

  /** Beats now unless a beat is running; resolves when the beat is over. Never rejects. */
  now(): Promise<void> {
    this.running ??= this.beat()
      .catch(() => {})
      .finally(() => (this.running = undefined));
    return this.running;
  }

  /** Stops the timer and waits for a running beat. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
