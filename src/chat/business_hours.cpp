// The hours are kept as local weekday ranges and turned into instants only
// when asked, day by day, so a change of daylight-saving time moves them as
// a wall clock would: 09:00 stays 09:00 in summer and in winter.
#include "switchboard/chat/business_hours.hpp"

#include "switchboard/core/ascii_case.hpp"

#include <date/tz.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <tuple>
#include <stdexcept>

namespace switchboard::chat {

namespace {

constexpr std::array<std::string_view, 7> short_days{"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
constexpr std::array<std::string_view, 7> long_days{"monday", "tuesday",  "wednesday", "thursday",
                                                    "friday", "saturday", "sunday"};
constexpr std::array<std::string_view, 7> shown_days{"Monday", "Tuesday",  "Wednesday", "Thursday",
                                                     "Friday", "Saturday", "Sunday"};
constexpr std::array<std::string_view, 12> month_names{"January", "February", "March",     "April",
                                                       "May",     "June",     "July",      "August",
                                                       "September", "October", "November", "December"};
constexpr std::string_view example = "mon-fri 09:00-17:30, sat 10:00-14:00";

[[noreturn]] void refuse(std::string_view entry, std::string_view why) {
    throw std::invalid_argument("--business-hours: '" + std::string(entry) + "': " + std::string(why) + " (e.g. " +
                                std::string(example) + ")");
}

std::string_view trim_spaces(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

std::optional<int> day_index(std::string_view name) {
    for (int i = 0; i < 7; ++i)
        if (name == short_days[i] || name == long_days[i]) return i;
    return std::nullopt;
}

// "09:30" → 570; "24:00" (allow_end) → 1440.
std::optional<int> minute_of_day(std::string_view s, bool allow_end) {
    if (s.size() != 5 || s[2] != ':') return std::nullopt;
    for (std::size_t i : {0u, 1u, 3u, 4u})
        if (!std::isdigit(static_cast<unsigned char>(s[i]))) return std::nullopt;
    int h = (s[0] - '0') * 10 + (s[1] - '0');
    int m = (s[3] - '0') * 10 + (s[4] - '0');
    if (m > 59) return std::nullopt;
    if (h == 24 && m == 0 && allow_end) return 1440;
    if (h > 23) return std::nullopt;
    return h * 60 + m;
}

const date::time_zone& zone_of(const void* z) { return *static_cast<const date::time_zone*>(z); }

}  // namespace

std::string_view business_hours::weekday_name(int weekday) { return short_days.at(weekday); }

std::vector<std::string> business_hours::days_off() const {
    std::vector<std::string> out;
    for (auto day : days_off_) out.push_back(zone_calendar::date_text(day));
    return out;
}

std::string business_hours::clock_text(int minute) {
    std::string out = "00:00";
    out[0] = static_cast<char>('0' + minute / 600);
    out[1] = static_cast<char>('0' + minute / 60 % 10);
    out[3] = static_cast<char>('0' + minute % 60 / 10);
    out[4] = static_cast<char>('0' + minute % 10);
    return out;
}

business_hours business_hours::parse(std::string_view spec, std::string_view zone, std::string_view days_off) {
    business_hours h;
    for (std::string_view rest = days_off; !trim_spaces(rest).empty();) {
        auto comma = rest.find(',');
        auto item = trim_spaces(rest.substr(0, comma));
        bool shaped = item.size() == 10 && item[4] == '-' && item[7] == '-';
        for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u})
            shaped = shaped && std::isdigit(static_cast<unsigned char>(item[i]));
        auto number = [&](std::size_t at, std::size_t n) {
            int v = 0;
            for (std::size_t i = at; shaped && i < at + n; ++i) v = v * 10 + (item[i] - '0');
            return v;
        };
        date::year_month_day ymd{date::year{number(0, 4)}, date::month{static_cast<unsigned>(number(5, 2))},
                                 date::day{static_cast<unsigned>(number(8, 2))}};
        if (!shaped || !ymd.ok())
            throw std::invalid_argument("--days-off: '" + std::string(item) +
                                        "' is not a date; write them as YYYY-MM-DD, comma-separated (e.g. "
                                        "2026-12-25, 2027-01-01)");
        h.days_off_.push_back(date::local_days{ymd}.time_since_epoch().count());
        if (comma == std::string_view::npos) break;
        rest = rest.substr(comma + 1);
    }
    std::sort(h.days_off_.begin(), h.days_off_.end());
    h.days_off_.erase(std::unique(h.days_off_.begin(), h.days_off_.end()), h.days_off_.end());
    auto calendar = zone_calendar::named(zone);
    if (!calendar)
        throw std::invalid_argument("--timezone: '" + std::string(zone) +
                                    "' is not a time zone this machine knows (an IANA name, e.g. Europe/Berlin or UTC)");
    h.calendar_ = *calendar;

    if (trim_spaces(spec).empty()) refuse(spec, "no hours given");
    std::string_view rest = spec;
    while (true) {
        auto comma = rest.find(',');
        auto entry = trim_spaces(rest.substr(0, comma));
        if (entry.empty()) refuse(spec, "an empty entry between commas");

        auto space = entry.find_first_of(" \t");
        if (space == std::string_view::npos) refuse(entry, "write the days, a space, then the hours");
        auto days = ascii_lowered(std::string(entry.substr(0, space)));
        auto times = trim_spaces(entry.substr(space));
        if (times.find_first_of(" \t") != std::string_view::npos)
            refuse(entry, "one range of hours an entry; give a day a second range as an entry of its own");

        auto dash = days.find('-');
        auto first = day_index(std::string_view(days).substr(0, dash));
        auto last = dash == std::string::npos ? first : day_index(std::string_view(days).substr(dash + 1));
        if (!first || !last) refuse(entry, "days are mon, tue, wed, thu, fri, sat, sun, or a span such as mon-fri");

        auto tdash = times.find('-');
        auto from = tdash == std::string_view::npos ? std::nullopt : minute_of_day(times.substr(0, tdash), false);
        auto to = tdash == std::string_view::npos ? std::nullopt : minute_of_day(times.substr(tdash + 1), true);
        if (!from || !to) refuse(entry, "write the hours as HH:MM-HH:MM on a 24-hour clock");
        if (*to <= *from)
            refuse(entry, "the end must be after the start; a night shift is two entries, up to 24:00 and from 00:00");

        // fri-mon wraps over the weekend.
        for (int d = *first;; d = (d + 1) % 7) {
            h.ranges_.push_back({d, *from, *to});
            if (d == *last) break;
        }
        if (comma == std::string_view::npos) break;
        rest = rest.substr(comma + 1);
    }
    std::sort(h.ranges_.begin(), h.ranges_.end(),
              [](const range& a, const range& b) { return std::tie(a.weekday, a.from) < std::tie(b.weekday, b.from); });
    // Ranges of a day that overlap or meet are one: an hour is counted once.
    std::vector<range> joined;
    for (auto& r : h.ranges_) {
        if (!joined.empty() && joined.back().weekday == r.weekday && r.from <= joined.back().to)
            joined.back().to = std::max(joined.back().to, r.to);
        else
            joined.push_back(r);
    }
    h.ranges_ = std::move(joined);
    return h;
}

double business_hours::open_seconds(timestamp from, timestamp to) const {
    using namespace std::chrono;
    if (to <= from) return 0;
    auto first = calendar_.day_of(from), last = calendar_.day_of(to);
    timestamp::duration open{};
    std::vector<opening> day_openings;
    for (auto day = first; day <= last; ++day) {
        openings_on(day, day_openings);
        for (auto& o : day_openings)
            if (auto a = std::max(o.from, from), b = std::min(o.to, to); a < b) open += b - a;
    }
    return duration<double>(open).count();
}

void business_hours::openings_on(long day_number, std::vector<opening>& out) const {
    out.clear();
    if (std::binary_search(days_off_.begin(), days_off_.end(), day_number)) return;
    const auto& zone = zone_of(calendar_.entry());
    date::local_days day{date::days{day_number}};
    int weekday = static_cast<int>((date::weekday{day}.c_encoding() + 6) % 7);
    for (auto& r : ranges_)
        if (r.weekday == weekday)
            out.push_back({zone.to_sys(day + std::chrono::minutes{r.from}, date::choose::earliest),
                           zone.to_sys(day + std::chrono::minutes{r.to}, date::choose::latest)});
}

business_hours::state business_hours::at(timestamp now) const {
    using namespace std::chrono;
    const auto& zone = zone_of(calendar_.entry());
    date::local_days today{date::days{calendar_.day_of(now)}};

    // Day by day from yesterday (its last range may run into today), each
    // day's openings as instants, joined where one ends as the next starts
    // (sun 24:00 and mon 00:00), until the answer cannot change: the next
    // opening is found, or the one under way ends before the next day
    // begins.
    std::vector<opening> open, day_openings;
    const int days_ahead = 8 + static_cast<int>(days_off_.size());
    for (int d = -1; d <= days_ahead; ++d) {
        auto day = today + date::days{d};
        openings_on(day.time_since_epoch().count(), day_openings);
        for (auto& o : day_openings) {
            if (!open.empty() && o.from <= open.back().to)
                open.back().to = std::max(open.back().to, o.to);
            else
                open.push_back(o);
        }
        auto next_day = zone.to_sys(day + date::days{1}, date::choose::earliest);
        for (auto& s : open) {
            if (now >= s.to) continue;
            if (now < s.from) return {false, s.from};
            if (s.to < next_day) return {true, s.to};
            break;  // open to midnight: the next day may go on with it
        }
    }
    bool still_open = !open.empty() && open.back().from <= now && now < open.back().to;
    // Open so long is open round the clock: until the next day off, if any.
    auto next_off = std::upper_bound(days_off_.begin(), days_off_.end(), today.time_since_epoch().count());
    if (!still_open || next_off == days_off_.end()) return {still_open, std::nullopt};
    return {true, timestamp(zone.to_sys(date::local_days{date::days{*next_off}}, date::choose::earliest))};
}

timestamp business_hours::after_open_seconds(timestamp from, std::chrono::seconds amount) const {
    using namespace std::chrono;
    timestamp::duration left = amount;
    auto day = calendar_.day_of(from);
    std::vector<opening> day_openings;
    // Every week has an opening, so this ends; the bound is for days off
    // that close a whole year.
    for (int d = 0; d < 4000; ++d, ++day) {
        openings_on(day, day_openings);
        for (auto& o : day_openings) {
            auto a = std::max(o.from, from);
            if (a >= o.to) continue;
            if (o.to - a >= left) return a + left;
            left -= o.to - a;
        }
    }
    return timestamp::max();
}

std::string business_hours::describe(timestamp opens, timestamp now) const {
    using namespace std::chrono;
    const auto& zone = zone_of(calendar_.entry());
    auto local = zone.to_local(opens);
    auto day = date::floor<date::days>(local);
    auto ahead = day.time_since_epoch().count() - calendar_.day_of(now);
    std::string out;
    if (ahead <= 0)
        out = "today";
    else if (ahead == 1)
        out = "tomorrow";
    else
        out = "on " + std::string(shown_days[(date::weekday{day}.c_encoding() + 6) % 7]);
    if (ahead >= 7) {  // "on Monday" would be next week's
        date::year_month_day ymd{day};
        out += " " + std::to_string(static_cast<unsigned>(ymd.day())) + " " +
               std::string(month_names[static_cast<unsigned>(ymd.month()) - 1]);
    }
    auto minute = static_cast<int>(date::floor<minutes>(local - day).count());
    return out + " at " + clock_text(minute) + " " + zone.get_info(opens).abbrev;
}

}  // namespace switchboard::chat
