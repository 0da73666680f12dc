#include "switchboard/chat/filing_note.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

namespace switchboard::chat {

namespace {

// "a", "a and b", "a, b and c".
std::string listed(const std::vector<std::string>& names) {
    std::string out;
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (i > 0) out += i + 1 == names.size() ? " and " : ", ";
        out += names[i];
    }
    return out;
}

// Those of `of` that `in` lacks, in `of`'s order.
std::vector<std::string> missing(const std::vector<std::string>& of, const std::vector<std::string>& in) {
    std::vector<std::string> out;
    for (const auto& name : of)
        if (std::find(in.begin(), in.end(), name) == in.end()) out.push_back(name);
    return out;
}

std::string labels_change(const conversation& was, const conversation& now) {
    auto added = missing(now.labels, was.labels);
    auto removed = missing(was.labels, now.labels);
    if (added.empty() && removed.empty()) return {};
    std::string out = added.size() + removed.size() > 1 ? "Labels " : "Label ";
    if (!added.empty()) out += listed(added) + " added";
    if (!removed.empty()) out += (added.empty() ? "" : ", ") + listed(removed) + " removed";
    return out;
}

std::string priority_change(const conversation& was, const conversation& now) {
    if (was.priority == now.priority) return {};
    if (now.priority == conv_priority::none) return "Priority cleared";
    return "Priority set to " + std::string(to_string(now.priority));
}

std::string team_change(const conversation& was, const conversation& now) {
    if (was.team == now.team) return {};
    if (was.team.empty()) return "Filed under the team " + now.team;
    if (now.team.empty()) return "Taken out of the team " + was.team;
    return "Moved from the team " + was.team + " to " + now.team;
}

}  // namespace

std::string filing_note(const conversation& was, const conversation& now, std::string_view by) {
    std::string out;
    for (auto part : {labels_change(was, now), priority_change(was, now), team_change(was, now)}) {
        if (part.empty()) continue;
        if (!out.empty()) {
            out += "; ";
            part[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(part[0])));
        }
        out += part;
    }
    if (out.empty()) return out;
    return out + " by " + std::string(by);
}

}  // namespace switchboard::chat
