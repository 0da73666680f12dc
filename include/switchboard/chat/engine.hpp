// The conversation engine: one actor per phone number, the bot, the support
// queue and the idle timeout. Channels hand it inbound messages; it answers
// once the step is durable.
#pragma once

#include "switchboard/chat/bot.hpp"
#include "switchboard/chat/conversation.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace boost::asio {
class io_context;
}
namespace switchboard::store {
class store;
}
namespace switchboard::events {
class event_sink;
}
namespace switchboard::channels {
class outbox;
}
namespace switchboard::metrics {
class registry;
}

namespace switchboard::chat {

struct engine_options {
    std::chrono::seconds idle_timeout{1800};
    bot_texts texts;
};

struct inbound_message {
    channel via = channel::plain;
    std::string phone;  // normalised: digits only
    std::string text;
    std::string kind = "text";
    std::string channel_id;    // the provider's message id, for deduplication
    std::string profile_name;  // a display name the channel knows
    std::string wa_phone_number_id;
};

struct inbound_result {
    std::vector<std::string> replies;
    conv_state state = conv_state::idle;
    // Set when the message id was seen before: the first answer, as sent then.
    std::optional<std::string> duplicate_of;
};

class engine {
public:
    engine(boost::asio::io_context& ioc, store::store& store, events::event_sink& events, channels::outbox& outbox,
           metrics::registry& metrics, engine_options options);
    ~engine();
    engine(const engine&) = delete;
    engine& operator=(const engine&) = delete;

    // Restores conversations, the queue and the outbox from the store, and
    // starts the idle sweep.
    void start();
    void stop();

    // Throws store::unavailable when the step could not be made durable.
    boost::asio::awaitable<inbound_result> receive(inbound_message m);
    // A provider's delivery status for a message it sent (WhatsApp statuses[]).
    boost::asio::awaitable<void> apply_status(std::string phone, std::string channel_id, message_status status);

    boost::asio::awaitable<std::optional<conversation>> find(std::string phone);
    std::size_t conversation_count() const;

    struct impl;

private:
    std::shared_ptr<impl> impl_;
};

}  // namespace switchboard::chat
