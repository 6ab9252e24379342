// A clock that only moves when slept on: waits of minutes or hours run in no time (unit tests and the polling benches).
import type { Clock } from '../src/waiter';

export class FakeClock implements Clock {
  t = 0;
  now(): number {
    return this.t;
  }
  async sleep(ms: number): Promise<void> {
    this.t += ms;
  }
}
