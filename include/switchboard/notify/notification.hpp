// A notification, as Chatwoot's: something that concerns one agent, kept in
// their inbox until they read it. A private note that mentions them, a
// chat handed to them by someone else or by automatic routing, their chat
// past one of the team's targets (SLA), or a user's message in a
// conversation they follow.
#pragma once

#include "switchboard/core/time.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace switchboard::notify {

struct notification {
    std::uint64_t id = 0;      // ever higher
    std::string agent;         // whom it is for
    std::string type;          // mention | assigned | sla_missed | message
    std::string conversation;  // the user's phone
    std::string name;          // the user's name as their conversation showed it then; empty: none
    std::string actor;         // who did it; empty: automatic routing
    std::uint64_t seq = 0;     // a mention's note, a message's message; 0 for the rest
    std::string text;          // theirs, its first max_text_chars; empty for the rest
    std::string target;        // sla_missed's: first_reply | next_reply | resolution; empty for the rest
    timestamp created_at{};
    std::optional<timestamp> read_at;
};

// What a mention keeps of its note, in code points: the inbox shows the
// start; the note itself is in the conversation.
inline constexpr std::size_t max_text_chars = 280;
// An agent's newest notifications a store keeps; older ones go as new ones come.
inline constexpr std::size_t notifications_kept = 500;

}  // namespace switchboard::notify
