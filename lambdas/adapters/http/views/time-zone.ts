// The editor's time zone: the console's script reports the browser's IANA zone (a form field and a cookie); times are
// entered and shown in it and stored in UTC. Without it (no script yet), UTC.

/** The zone if the runtime knows it, else UTC. */
export function timeZoneOr(zone: string | undefined): string {
  if (!zone || zone.length > 64) return 'UTC';
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return zone;
  } catch {
    return 'UTC';
  }
}

/** How far `zone` is ahead of UTC at `instant`, in milliseconds. */
function offsetMs(zone: string, instant: number): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
      .formatToParts(new Date(instant))
      .map((p) => [p.type, p.value]),
  );
  const wall = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return wall - Math.floor(instant / 1000) * 1000;
}

/** A `datetime-local` value (`2026-06-01T09:30`) read as a wall-clock time in `zone`, as an ISO instant; the raw
 *  value when it is not one (the schema then says what is wrong). */
export function wallTimeToIso(wall: string, zone: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(wall);
  if (!m) return wall;
  const asUtc = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]));
  // Two passes settle a wall time near a daylight-saving change.
  let instant = asUtc - offsetMs(zone, asUtc);
  instant = asUtc - offsetMs(zone, instant);
  return new Date(instant).toISOString();
}

/** An instant as a `datetime-local` value in `zone` (to fill the field back in). */
export function isoToWallTime(iso: string, zone: string): string {
  const instant = Date.parse(iso);
  if (Number.isNaN(instant)) return '';
  return new Date(instant + offsetMs(zone, instant)).toISOString().slice(0, 16);
}
