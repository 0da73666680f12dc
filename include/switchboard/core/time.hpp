// Wall-clock timestamps as the API shows them: ISO-8601, UTC, with a `Z`.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace switchboard {

using timestamp = std::chrono::system_clock::time_point;

std::string to_iso8601(timestamp t);  // 2026-11-24T04:40:00.123Z
// "2026-11-24 04:40", in UTC: a time to the minute, for people.
std::string utc_minute(timestamp t);
// "2026-11-24 04:40 UTC": for people in any zone (a note, a mail).
std::string utc_minute_text(timestamp t);
void append_iso8601(std::string& out, timestamp t);
inline constexpr std::size_t iso8601_chars = 24;
// The same into room the caller has made: returns the end of what it wrote.
char* write_iso8601(char* at, timestamp t);
std::optional<timestamp> parse_iso8601(std::string_view s);
std::int64_t to_unix_ms(timestamp t);
timestamp from_unix_ms(std::int64_t ms);

}  // namespace switchboard
