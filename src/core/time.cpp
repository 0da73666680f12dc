#include "switchboard/core/time.hpp"

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>

namespace switchboard {

std::int64_t to_unix_ms(timestamp t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

timestamp from_unix_ms(std::int64_t ms) { return timestamp(std::chrono::milliseconds(ms)); }

namespace {

// Howard Hinnant's days_from_civil inverse: the calendar date of a day count.
void civil_from_days(std::int64_t z, int& y, unsigned& m, unsigned& d) {
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y = static_cast<int>(static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2));
}

void put_digits(char* at, unsigned value, int width) {
    for (int i = width - 1; i >= 0; --i) {
        at[i] = static_cast<char>('0' + value % 10);
        value /= 10;
    }
}

// The 24 characters of `t`, formatted by hand: it runs for every timestamp
// of every event (snprintf, then a string per call, were hot spots).
const char* iso8601_text(timestamp t) {
    // A step writes the same instant five or more times (each event's "at",
    // its messages' timestamps, updated_at), with the conversation's
    // created_at in between: the last two are kept per thread.
    struct formatted {
        std::int64_t ms = INT64_MIN;
        char text[24];
    };
    thread_local formatted last[2];
    thread_local unsigned older = 0;
    auto ms = to_unix_ms(t);
    const formatted* hit = last[0].ms == ms ? &last[0] : last[1].ms == ms ? &last[1] : nullptr;
    if (!hit) {
        auto& f = last[older];
        older ^= 1;
        std::int64_t days = ms >= 0 ? ms / 86400000 : (ms - 86399999) / 86400000;
        auto in_day = static_cast<unsigned>(ms - days * 86400000);
        int y;
        unsigned mo, d;
        civil_from_days(days, y, mo, d);
        char* p = f.text;
        std::memcpy(p, "0000-00-00T00:00:00.000Z", 24);
        put_digits(p, static_cast<unsigned>(y), 4);
        put_digits(p + 5, mo, 2);
        put_digits(p + 8, d, 2);
        put_digits(p + 11, in_day / 3600000, 2);
        put_digits(p + 14, in_day / 60000 % 60, 2);
        put_digits(p + 17, in_day / 1000 % 60, 2);
        put_digits(p + 20, in_day % 1000, 3);
        f.ms = ms;
        hit = &f;
    }
    return hit->text;
}

}  // namespace

void append_iso8601(std::string& out, timestamp t) { out.append(iso8601_text(t), iso8601_chars); }

char* write_iso8601(char* at, timestamp t) {
    std::memcpy(at, iso8601_text(t), iso8601_chars);
    return at + iso8601_chars;
}

std::string to_iso8601(timestamp t) {
    std::string out;
    append_iso8601(out, t);
    return out;
}

std::string utc_minute(timestamp t) {
    auto iso = to_iso8601(t);
    return iso.substr(0, 10) + " " + iso.substr(11, 5);
}

std::string utc_minute_text(timestamp t) { return utc_minute(t) + " UTC"; }

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
