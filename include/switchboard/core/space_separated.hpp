// Words kept in one text column, joined by single spaces: a conversation's
// labels and participants, an agent's recovery codes' hashes. Only for
// words that hold no space themselves.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace switchboard {

inline std::string join_space_separated(const std::vector<std::string>& words) {
    std::string out;
    for (auto& w : words) out += (out.empty() ? "" : " ") + w;
    return out;
}

// Empty words (two spaces in a row, a leading one) are skipped.
inline std::vector<std::string> split_space_separated(std::string_view joined) {
    std::vector<std::string> out;
    while (!joined.empty()) {
        auto space = joined.find(' ');
        if (space) out.emplace_back(joined.substr(0, space));
        if (space == std::string_view::npos) break;
        joined.remove_prefix(space + 1);
    }
    return out;
}

}  // namespace switchboard
