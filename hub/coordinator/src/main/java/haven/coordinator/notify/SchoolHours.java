package haven.coordinator.notify;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;

/**
 * When the school is open: a weekly timetable and, if given, term dates (outside every term it is closed,
 * whatever the day). Outside these hours the out-of-hours ladder is used, because the people on the day
 * ladder are not at school to read it.
 */
public record SchoolHours(ZoneId zone, Map<DayOfWeek, List<Hours>> week, List<Term> terms) {

    /** Open from {@code start} (inclusive) to {@code end} (exclusive) on one day. */
    public record Hours(LocalTime start, LocalTime end) {
        public Hours {
            if (!end.isAfter(start)) {
                throw new IllegalArgumentException("must end after it starts, got " + start + "-" + end);
            }
        }

        boolean contains(LocalTime t) {
            return !t.isBefore(start) && t.isBefore(end);
        }

        /** "08:00-16:30". */
        static Hours parse(String text) {
            String[] parts = text.trim().split("-");
            if (parts.length != 2) {
                throw new IllegalArgumentException("hours must look like 08:00-16:30, got '" + text + "'");
            }
            try {
                return new Hours(LocalTime.parse(parts[0].trim()), LocalTime.parse(parts[1].trim()));
            } catch (java.time.format.DateTimeParseException e) {
                throw new IllegalArgumentException("hours must look like 08:00-16:30, got '" + text + "'");
            }
        }
    }

    /** First and last day of a term, both included. */
    public record Term(LocalDate first, LocalDate last) {
        public Term {
            if (last.isBefore(first)) {
                throw new IllegalArgumentException("a term must end on or after its first day, got " + first + ".." + last);
            }
        }

        /** "2026-09-03..2026-10-23". */
        static Term parse(String text) {
            String[] parts = text.trim().split("\\.\\.");
            if (parts.length != 2) {
                throw new IllegalArgumentException("a term must look like 2026-09-03..2026-10-23, got '" + text + "'");
            }
            try {
                return new Term(LocalDate.parse(parts[0].trim()), LocalDate.parse(parts[1].trim()));
            } catch (java.time.format.DateTimeParseException e) {
                throw new IllegalArgumentException("a term must look like 2026-09-03..2026-10-23, got '" + text + "'");
            }
        }
    }

    public SchoolHours {
        week = Map.copyOf(week);
        terms = List.copyOf(terms);
    }

    public boolean isOpen(Instant at) {
        ZonedDateTime local = at.atZone(zone);
        LocalDate day = local.toLocalDate();
        if (!terms.isEmpty() && terms.stream().noneMatch(t -> !day.isBefore(t.first()) && !day.isAfter(t.last()))) {
            return false;
        }
        return week.getOrDefault(local.getDayOfWeek(), List.of()).stream().anyMatch(h -> h.contains(local.toLocalTime()));
    }

    /** When the opening hours that contain {@code at} began, or empty when the school is closed then. */
    public java.util.Optional<Instant> openSince(Instant at) {
        if (!isOpen(at)) {
            return java.util.Optional.empty();
        }
        ZonedDateTime local = at.atZone(zone);
        return week.getOrDefault(local.getDayOfWeek(), List.of()).stream().filter(h -> h.contains(local.toLocalTime()))
                .findFirst().map(h -> local.toLocalDate().atTime(h.start()).atZone(zone).toInstant());
    }
}
