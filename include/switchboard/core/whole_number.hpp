// Reading a count from text: query parameters, cursors, command lines.
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string_view>

namespace switchboard {

// `s` as a whole number, all of it, or nothing: no sign, no spaces, no
// trailing text. std::stoul would read "-1" as the largest value and "5x" as 5.
inline std::optional<std::uint64_t> parse_whole_number(std::string_view s) {
    std::uint64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
    return v;
}

}  // namespace switchboard
