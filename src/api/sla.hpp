// The team's reply-time targets (GET /sla): what the SLA routes keep, and
// what reports count replies against.
#pragma once

#include "switchboard/chat/conversation.hpp"

namespace switchboard::store {
class store;
}

namespace switchboard::api {

using chat::reply_targets;

// As kept; none before an admin sets them.
reply_targets kept_reply_targets(const store::store& db);

}  // namespace switchboard::api
