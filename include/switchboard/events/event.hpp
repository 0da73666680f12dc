// Events pushed to agents (SPEC §5). The engine publishes; the WebSocket hub
// numbers, retains and fans them out.
#pragma once

#include "switchboard/core/time.hpp"

#include <boost/json/object.hpp>

#include <string>
#include <vector>

namespace switchboard::events {

struct event {
    std::string type;          // message.created, chat.started, …
    std::string conversation;  // the phone
    boost::json::object data;
    timestamp at{};
    // When set, `data` already serialized (messages and conversations, the
    // frequent ones); it wins over `data`.
    std::string data_json;
};

class event_sink {
public:
    virtual ~event_sink() = default;
    // Must not block: called from conversation actors.
    virtual void publish(event e) = 0;
    // One step's events, in order, moved from.
    virtual void publish_all(std::vector<event>& events) {
        for (auto& e : events) publish(std::move(e));
    }
};

// For when nobody listens (tools, some tests).
class null_sink final : public event_sink {
public:
    void publish(event) override {}
};

}  // namespace switchboard::events
