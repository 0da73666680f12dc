// The reply-time targets (GET /sla, and each team's own): what the SLA and
// team routes keep, what the engine holds open chats to, and what reports
// count replies against.
#pragma once

#include "switchboard/chat/conversation.hpp"

#include <boost/json/object.hpp>

namespace switchboard::store {
class store;
}

namespace switchboard::api {

using chat::reply_policy;
using chat::reply_targets;
struct api_context;

// As kept; none before an admin sets them.
reply_targets kept_reply_targets(const store::store& db);
// The standard targets as kept, and each team's own over them.
reply_policy reply_policy_now(api_context& ctx);
// Gives the engine reply_policy_now: at start, and after the targets or
// the teams change.
void refresh_reply_policy(api_context& ctx);
// A team's "sla": null or absent (none of its own), or an object of any of
// first_reply_minutes, next_reply_minutes and resolution_minutes, as PUT
// /sla reads them, or false: none of that kind for the team's chats
// (reply_targets::none). field_error naming "sla" or "sla.<field>".
reply_targets team_targets_field(const boost::json::object& body);

}  // namespace switchboard::api
