// The school's clock (Europe/London, summer time included) for the forms that take a day and a time typed by staff:
// a case action's due time (dashboard.js) and a data breach's times (breaches.js). One copy, window.HavenLondonTime.
window.HavenLondonTime = (() => {
  "use strict";
  const ZONE = "Europe/London";
  const PARTS = new Intl.DateTimeFormat("en-GB", { timeZone: ZONE, year: "numeric", month: "2-digit",
    day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  const partsAt = (ms) => Object.fromEntries(PARTS.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));

  // "5/1/2026" "09:00" as the school's clock reads it -> a Date, or null when either is not a real day or time.
  function parse(dateText, timeText) {
    const d = /^\s*(\d{1,2})\/(\d{1,2})\/(\d{4})\s*$/.exec(dateText || "");
    const t = /^\s*(\d{1,2}):(\d{2})\s*$/.exec(timeText || "");
    if (!d || !t) return null;
    const [day, month, year, hour, minute] = [d[1], d[2], d[3], t[1], t[2]].map(Number);
    if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59) return null;
    const wall = Date.UTC(year, month - 1, day, hour, minute);
    // London's offset at that moment: format the guess in London and see how far it is from the wall time.
    const offsetAt = (ms) => {
      const p = partsAt(ms);
      return Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute) - ms;
    };
    const back = new Date(wall - offsetAt(wall - offsetAt(wall)));
    return Number.isNaN(back.getTime()) || new Date(wall).getUTCDate() !== day ? null : back;
  }

  // Now on the school's clock, as the forms show it: {date: "5/1/2026", time: "09:00"}.
  function now() {
    const p = partsAt(Date.now());
    return { date: `${+p.day}/${+p.month}/${p.year}`, time: `${p.hour}:${p.minute}` };
  }

  return { parse, now };
})();
