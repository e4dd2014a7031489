// Test-only: `FAULT_KILL_AT=<point>:<n>[:SIGKILL|SIGTERM]` makes `npm start` signal itself the n-th time its send
// pipeline reaches a point, so a test can kill the service exactly where a crash hurts most (the fault-injection suite,
// tests/integration/send-kill-faults.test.ts). The points are reached through the ports the local runtime hands the
// App, so nothing in the core knows about them:
//  - planning:   a chunk enqueue, after the planner stored the chunk rows and before the queue holds them;
//  - afterClaim: the mailer called, after the delivery claim and before SES is asked;
//  - afterSes:   SES accepted, before the sender records the delivery as sent.
// SIGKILL stops the process on the spot; SIGTERM starts the graceful stop and lets the work in hand carry on.
import type { BackgroundPorts } from '../composition-root.js';
import type { Mailer } from '../core/shared/ports.js';

export type FaultPoint = 'planning' | 'afterClaim' | 'afterSes';
export type FaultSignal = 'SIGKILL' | 'SIGTERM';

export interface FaultKill {
  point: FaultPoint;
  /** Signalled on this hit of the point (1 = the first). Parsed from FAULT_KILL_AT in config.ts. */
  hit: number;
  signal: FaultSignal;
}

export interface FaultInjection {
  mailer(mailer: Mailer): Mailer;
  background(background: BackgroundPorts): BackgroundPorts;
}

export function faultInjection(fault: FaultKill, signal: (s: FaultSignal) => void = (s) => process.kill(process.pid, s)): FaultInjection {
  let hits = 0;
  const reach = (point: FaultPoint) => {
    if (point !== fault.point || ++hits !== fault.hit) return;
    console.error(`FAULT_KILL_AT: ${fault.signal} at ${point} (hit ${hits})`); // written at once: stderr is a pipe or a tty
    signal(fault.signal);
  };
  return {
    mailer: (mailer) => ({
      async send(email) {
        reach('afterClaim');
        const accepted = await mailer.send(email);
        reach('afterSes');
        return accepted;
      },
    }),
    background: (background) => ({
      ...background,
      async enqueue(queue, bodies) {
        reach('planning');
        return background.enqueue(queue, bodies);
      },
    }),
  };
}
