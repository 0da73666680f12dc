// Who has which conversation open in a console (Intercom's collision
// detection): each socket views at most one conversation, and each
// conversation is viewed by a set of agents, some with several sockets on
// it. Not thread-safe: the hub holds its lock around it. Internal to src/ws.
#pragma once

#include <boost/json/object.hpp>

#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace switchboard::ws {

class viewer_board {
public:
    // `socket` (of `agent`) now views `conversation` ("" for none). Returns
    // the conversations whose set of agents changed: the one it left and the
    // one it opened, when another socket of the agent's was not already there.
    std::vector<std::string> view(const void* socket, const std::string& agent, std::string conversation);
    // The socket closed: as viewing none.
    std::vector<std::string> leave(const void* socket, const std::string& agent) { return view(socket, agent, ""); }

    // The agents viewing it, by username.
    std::vector<std::string> agents_in(std::string_view conversation) const;
    // {"<phone>":["ana","lea"],…}: every conversation someone views.
    boost::json::object snapshot() const;

private:
    // Drops one of `agent`'s sockets from `conversation`; true when it was their last there.
    bool remove(const std::string& conversation, const std::string& agent);

    std::unordered_map<const void*, std::string> by_socket_;
    // conversation → agent → how many of their sockets view it
    std::map<std::string, std::map<std::string, int, std::less<>>, std::less<>> by_conversation_;
};

}  // namespace switchboard::ws
