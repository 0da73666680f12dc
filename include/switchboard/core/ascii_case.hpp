// ASCII case folding, as SQLite's LIKE does it: for searches and for
// header and signature values that compare without regard to case.
#pragma once

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>

namespace switchboard {

inline char ascii_lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

inline std::string ascii_lowered(std::string s) {
    for (auto& c : s) c = ascii_lower(c);
    return s;
}

// Whether `text` holds `lower_needle` (already lower case), any case,
// without copying `text`.
inline bool contains_ignoring_case(std::string_view text, std::string_view lower_needle) {
    return std::search(text.begin(), text.end(), lower_needle.begin(), lower_needle.end(),
                       [](char a, char b) { return ascii_lower(a) == b; }) != text.end();
}

}  // namespace switchboard
