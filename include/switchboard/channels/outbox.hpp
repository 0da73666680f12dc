// Outbound delivery: every message for a user goes through a persisted
// outbox, sent in order per conversation and concurrently across them,
// retried with backoff until the provider accepts it (SPEC §3).
#pragma once

#include "switchboard/store/store.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace boost::asio {
class io_context;
}
namespace switchboard::metrics {
class registry;
}

namespace switchboard::channels {

struct outbox_options {
    std::string wa_api_base = "https://graph.facebook.com/v21.0";
    std::string wa_token;
    std::string outbound_url;  // plain-webhook users; empty: nowhere to deliver
    std::chrono::milliseconds first_retry{500};
    std::chrono::milliseconds max_backoff{std::chrono::seconds(60)};
    std::chrono::seconds max_age{std::chrono::hours(24)};  // then a message is given up as failed
    std::chrono::seconds request_timeout{10};
    std::size_t connections_per_host = 16;
    std::string ca_file;  // extra trusted CA certificates (PEM) for https destinations
    // The bot's keywords to tap (an item of kind "choices") as WhatsApp's
    // interactive message; off, as SPEC §3 has it, its text alone.
    bool wa_buttons = false;
};

struct delivery_outcome {
    std::string message_id;
    std::string phone;
    std::uint64_t seq = 0;
    bool accepted = false;    // false: finally failed
    std::string provider_id;  // WhatsApp: the wamid the send API answered
    std::string error;
};

class outbox {
public:
    // Runs on the outbox's strand; must record the outcome durably before returning.
    using outcome_handler = std::function<boost::asio::awaitable<void>(delivery_outcome)>;

    outbox(boost::asio::io_context& ioc, store::store& store, metrics::registry& metrics, outbox_options options);
    ~outbox();

    void on_outcome(outcome_handler h);
    // Items already durable in the store. Thread-safe.
    void enqueue(std::vector<store::outbox_item> items);
    // WhatsApp's "typing…" for the user, on their message `item.ref` (kind
    // "typing"): sent once, not stored, never retried. Thread-safe.
    void show_typing(store::outbox_item item);
    // Drops what waits to go to `phone`, whose conversation was erased
    // (its store rows with it): the message being sent now is given up
    // before its next attempt, and its outcome is not told. Thread-safe.
    void forget(std::string phone);
    // Whether a message for this channel has anywhere to go.
    bool can_deliver(chat::channel via) const;
    // Whether a user on this channel is shown the bot's keywords to tap with
    // a message of this text: a plain webhook's answer and body always carry
    // them; WhatsApp shows them with --wa-buttons, when the text fits a
    // button message (a longer one goes as text).
    bool shows_choices(chat::channel via, std::string_view text) const;
    void stop();

    struct impl;

private:
    std::shared_ptr<impl> impl_;
};

// The delay before retry number `attempt` (1-based): doubling from
// `first` up to `cap`, with jitter in [50%, 100%] so retries do not align.
std::chrono::milliseconds retry_delay(std::uint32_t attempt, std::chrono::milliseconds first,
                                      std::chrono::milliseconds cap, double jitter01);

}  // namespace switchboard::channels
