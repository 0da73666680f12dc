// ASCII case folding, as SQLite's LIKE does it: for searches and for
// header and signature values that compare without regard to case.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>

namespace switchboard {

// A-Z only, whatever the C library's locale: std::tolower was a call a
// character, most of a search of the memory store's messages beside its
// comparisons (perf: tolower 6% of a search where the scan was 52%).
inline char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c; }

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
