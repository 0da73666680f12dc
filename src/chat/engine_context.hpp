// What every conversation actor shares: the store, the queue, the outbox and
// the event sink. Internal to src/chat.
#pragma once

#include "switchboard/channels/outbox.hpp"
#include "switchboard/chat/engine.hpp"
#include "switchboard/chat/support_queue.hpp"
#include "switchboard/core/metrics.hpp"
#include "switchboard/events/event.hpp"
#include "switchboard/store/store.hpp"

#include <functional>

namespace switchboard::chat {

struct engine_context {
    store::store& store;
    events::event_sink& events;
    support_queue& queue;
    channels::outbox& outbox;
    const engine_options& options;
    const bot_offer_set offers;  // from options.texts
    metrics::counter& messages_in;
    metrics::counter& duplicates;
    metrics::counter& blocked_messages;  // from users an agent blocked: acknowledged, dropped
    metrics::counter& chats_opened;
    metrics::counter& chats_closed;
    metrics::counter& statuses_applied;
    metrics::counter& statuses_ignored;
    metrics::counter& expired;
    metrics::gauge& conversations;  // known ones: stored at least once
    metrics::counter& targets_missed;  // each chat.sla_missed: a wait past a reply target, a chat past the resolution one
    // Told when chats move up the queue; set by the engine.
    std::function<void(std::vector<support_queue::moved>)> on_queue_moved;
};

}  // namespace switchboard::chat
