#include "switchboard/chat/zone_calendar.hpp"

#include <date/tz.h>

namespace switchboard::chat {

std::optional<zone_calendar> zone_calendar::named(std::string_view iana) {
    zone_calendar c;
    try {
        c.zone_ = date::locate_zone(std::string(iana));
    } catch (const std::exception&) {
        return std::nullopt;
    }
    c.name_ = std::string(iana);
    return c;
}

long zone_calendar::day_of(timestamp t) const {
    auto local = static_cast<const date::time_zone*>(zone_)->to_local(t);
    return date::floor<date::days>(local).time_since_epoch().count();
}

int zone_calendar::hour_of(timestamp t) const {
    auto local = static_cast<const date::time_zone*>(zone_)->to_local(t);
    return static_cast<int>(date::floor<std::chrono::hours>(local - date::floor<date::days>(local)).count());
}

std::string zone_calendar::date_text(long day) { return date::format("%F", date::local_days{date::days{day}}); }

}  // namespace switchboard::chat
