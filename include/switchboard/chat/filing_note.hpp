// The line an agent's filing leaves in a conversation's history, as
// Chatwoot's activity messages: who put which label on, set the priority,
// moved it to a team.
#pragma once

#include "switchboard/chat/conversation.hpp"

#include <string>
#include <string_view>

namespace switchboard::chat {

// What changed from `was` to `now` in its labels, priority and team, and by
// whom: "Label billing added by ada", "Labels refund added, vip removed by
// ada", "Priority set to urgent by ada", "Moved from the team billing to
// sales by ada". Empty when none of the three changed.
std::string filing_note(const conversation& was, const conversation& now, std::string_view by);

}  // namespace switchboard::chat
