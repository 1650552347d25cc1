// Connection state of one client: started or stopped, closed, whether a catch-up has reached the server since the
// connection (re)opened, and how many catch-ups run. The parts change it only through these named transitions.

export class ConnectionState {
  #started = false;
  #closed = false;
  #connected = false;
  #catchingUp = 0;

  get started(): boolean {
    return this.#started;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** A catch-up succeeded since the connection (re)opened, and no send has found the network gone since. */
  get connected(): boolean {
    return this.#connected;
  }

  /** Catch-ups in progress: the outbox waits (what it encrypts now would be at an epoch the group is leaving). */
  get catchingUp(): boolean {
    return this.#catchingUp > 0;
  }

  /** Started and not closed: timers and retries may run. */
  get live(): boolean {
    return this.#started && !this.#closed;
  }

  /** Whether the outbox may send now: live, caught up since the connection opened, and no catch-up running. */
  get canSend(): boolean {
    return this.live && this.#connected && this.#catchingUp === 0;
  }

  /** Returns false when already started. */
  start(): boolean {
    if (this.#started) return false;
    this.#started = true;
    return true;
  }

  /** start() could not finish. */
  startFailed(): void {
    this.#started = false;
  }

  stop(): void {
    this.#started = false;
    this.#connected = false;
  }

  close(): void {
    this.#closed = true;
  }

  beginCatchUp(): void {
    this.#catchingUp++;
  }

  endCatchUp(): void {
    this.#catchingUp--;
  }

  /** A catch-up reached the end of the server's queue. */
  caughtUp(): void {
    this.#connected = true;
  }

  /** The server could not be reached: the outbox waits for the next successful catch-up. */
  lost(): void {
    this.#connected = false;
  }
}
