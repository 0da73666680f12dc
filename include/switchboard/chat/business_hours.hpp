// Business hours: when the team answers, in the business's own time zone
// (`--business-hours`, `--timezone`). A user who asks for support outside
// them is told when the team is back; the console shows it to agents.
#pragma once

#include "switchboard/chat/zone_calendar.hpp"
#include "switchboard/core/time.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::chat {

class business_hours {
public:
    // One opening on one weekday, in minutes from that day's local midnight.
    struct range {
        int weekday = 0;  // 0 Monday … 6 Sunday
        int from = 0;     // 0 … 1439
        int to = 0;       // from + 1 … 1440 (24:00)
    };

    // Where the hours stand at one moment.
    struct state {
        bool open = false;
        // Open: when they close (unset when they never do, e.g. every day
        // 00:00-24:00). Closed: when they open next.
        std::optional<timestamp> change;
    };

    // `spec`: "mon-fri 09:00-17:30, sat 10:00-14:00": comma-separated
    // entries, each one day or a span of days (mon-fri, fri-mon) and one
    // time range, the end after the start (24:00 for midnight). A day may
    // have several ranges (a lunch break). `zone`: an IANA name
    // (Europe/Berlin, UTC). `days_off`: "2026-12-25, 2027-01-01", dates
    // in that zone when the hours do not apply (holidays). Throws
    // std::invalid_argument naming what is wrong and how to write it.
    static business_hours parse(std::string_view spec, std::string_view zone, std::string_view days_off = {});

    state at(timestamp now) const;

    // `opens` as the user reads it, relative to `now` and in the business's
    // zone: "today at 14:00 UTC", "tomorrow at 09:00 CET",
    // "on Monday at 09:00 CET", and a week or more ahead with its date,
    // "on Monday 4 January at 09:00 CET".
    std::string describe(timestamp opens, timestamp now) const;

    // Seconds of [from, to) within the hours: a wait as the team's clock
    // counts it (reports' first response and queue wait).
    double open_seconds(timestamp from, timestamp to) const;
    // When `amount` of time within the hours has passed since `from` (a
    // waiting chat's idle timeout, which stops outside them).
    timestamp after_open_seconds(timestamp from, std::chrono::seconds amount) const;

    // By weekday, then start; a day's ranges that overlap or meet are one.
    const std::vector<range>& ranges() const { return ranges_; }
    const std::string& zone_name() const { return calendar_.name(); }
    std::vector<std::string> days_off() const;  // YYYY-MM-DD, in order

    static std::string_view weekday_name(int weekday);  // "mon"
    static std::string clock_text(int minute);          // 540 → "09:00"

private:
    business_hours() = default;

    struct opening {
        timestamp from, to;
    };
    // The openings of one day of the zone's calendar (days since 1970-01-01),
    // as instants, in order; none on a day off.
    void openings_on(long day, std::vector<opening>& out) const;

    std::vector<range> ranges_;
    std::vector<long> days_off_;  // days since 1970-01-01 in the zone's own calendar, sorted
    zone_calendar calendar_;
};

}  // namespace switchboard::chat
