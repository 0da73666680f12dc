// The team's reply-time targets (GET /sla): what the SLA routes keep, and
// what reports count first replies against.
#pragma once

#include <cstdint>
#include <optional>

namespace switchboard::store {
class store;
}

namespace switchboard::api {

struct reply_targets {
    // Minutes a user may wait for an agent's first answer in a chat, and
    // for each answer after it; nullopt: no target.
    std::optional<std::int64_t> first_reply_minutes, next_reply_minutes;
};

// As kept; none before an admin sets them.
reply_targets kept_reply_targets(const store::store& db);

}  // namespace switchboard::api
