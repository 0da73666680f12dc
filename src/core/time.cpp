#include "switchboard/core/time.hpp"

#include <cstdio>
#include <ctime>

namespace switchboard {

std::int64_t to_unix_ms(timestamp t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

timestamp from_unix_ms(std::int64_t ms) { return timestamp(std::chrono::milliseconds(ms)); }

std::string to_iso8601(timestamp t) {
    auto ms = to_unix_ms(t);
    auto secs = static_cast<std::time_t>(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
    int millis = static_cast<int>(ms - static_cast<std::int64_t>(secs) * 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
    return buf;
}

std::optional<timestamp> parse_iso8601(std::string_view s) {
    // YYYY-MM-DDTHH:MM:SS[.fff]Z
    std::tm tm{};
    int ms = 0;
    std::string str(s);
    int consumed = 0;
    if (std::sscanf(str.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                    &tm.tm_min, &tm.tm_sec, &consumed) != 6)
        return std::nullopt;
    std::string_view rest = std::string_view(str).substr(static_cast<std::size_t>(consumed));
    if (!rest.empty() && rest.front() == '.') {
        rest.remove_prefix(1);
        int digits = 0;
        while (!rest.empty() && rest.front() >= '0' && rest.front() <= '9') {
            if (digits < 3) ms = ms * 10 + (rest.front() - '0');
            ++digits;
            rest.remove_prefix(1);
        }
        if (digits == 0) return std::nullopt;
        for (; digits < 3; ++digits) ms *= 10;
    }
    if (rest != "Z") return std::nullopt;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    auto secs = timegm(&tm);
    if (secs == -1) return std::nullopt;
    return from_unix_ms(static_cast<std::int64_t>(secs) * 1000 + ms);
}

}  // namespace switchboard
