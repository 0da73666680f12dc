#include "viewer_board.hpp"

#include <boost/json/array.hpp>

namespace switchboard::ws {

std::vector<std::string> viewer_board::view(const void* socket, const std::string& agent, std::string conversation) {
    std::vector<std::string> changed;
    auto it = by_socket_.find(socket);
    if (it != by_socket_.end()) {
        if (it->second == conversation) return changed;
        if (remove(it->second, agent)) changed.push_back(it->second);
        by_socket_.erase(it);
    }
    if (conversation.empty()) return changed;
    if (++by_conversation_[conversation][agent] == 1) changed.push_back(conversation);
    by_socket_.emplace(socket, std::move(conversation));
    return changed;
}

bool viewer_board::remove(const std::string& conversation, const std::string& agent) {
    auto c = by_conversation_.find(conversation);
    if (c == by_conversation_.end()) return false;
    auto a = c->second.find(agent);
    if (a == c->second.end() || --a->second > 0) return false;
    c->second.erase(a);
    if (c->second.empty()) by_conversation_.erase(c);
    return true;
}

std::vector<std::string> viewer_board::agents_in(std::string_view conversation) const {
    std::vector<std::string> out;
    if (auto c = by_conversation_.find(conversation); c != by_conversation_.end())
        for (auto& [agent, _] : c->second) out.push_back(agent);
    return out;
}

boost::json::object viewer_board::snapshot() const {
    boost::json::object out;
    for (auto& [conversation, agents] : by_conversation_) {
        boost::json::array names;
        for (auto& [agent, _] : agents) names.emplace_back(agent);
        out.emplace(conversation, std::move(names));
    }
    return out;
}

}  // namespace switchboard::ws
