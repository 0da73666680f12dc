// A time zone's calendar: which local day an instant falls on, for what is
// counted by day (reports) in the team's or the reader's own zone, by the
// system's zone database, so summer time moves midnight as it should.
#pragma once

#include "switchboard/core/time.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace switchboard::chat {

class zone_calendar {
public:
    // An IANA name (Europe/Berlin, UTC); none when the machine does not know it.
    static std::optional<zone_calendar> named(std::string_view iana);

    // The local day `t` falls on, in days since 1970-01-01.
    long day_of(timestamp t) const;
    // The local hour `t` falls in, 0 to 23 (summer time's repeated hour counts in its one).
    int hour_of(timestamp t) const;
    // 20454 → "2026-01-01".
    static std::string date_text(long day);

    const std::string& name() const { return name_; }
    // The zone database's entry (it lives as long as the process), for
    // arithmetic of the hours' own.
    const void* entry() const { return zone_; }

private:
    friend class business_hours;  // holds one, set by its parse
    zone_calendar() = default;
    std::string name_;
    const void* zone_ = nullptr;
};

}  // namespace switchboard::chat
