// Replies an agent writes now and the server sends later (Intercom's and
// Front's "send later"): each kept until its time, across restarts, then
// sent as the agent's reply in the chat, under the same rules as one sent
// by hand (the chat still theirs; WhatsApp's 24-hour window). One that
// cannot go stays listed, failed, with why, until an agent deletes it.
// POST/GET/DELETE /conversations/{phone}/scheduled (scheduled_routes.cpp).
#pragma once

#include "switchboard/core/time.hpp"

#include <boost/asio/awaitable.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace boost::asio {
class io_context;
}
namespace boost::json {
class object;
}

namespace switchboard::api {

struct api_context;

struct scheduled_reply {
    std::string name;  // its id ("sch_…"): the store's list is keyed by it
    std::string phone;
    std::string text;
    timestamp send_at{};
    std::string by;  // the agent who wrote it, whose reply it is
    timestamp created_at{};
    // "scheduled", "sending" (kept before it goes: a restart then cannot
    // send it twice) or "failed" (`error` says why).
    std::string status = "scheduled";
    std::string error;
};

// {"id","phone","text","send_at","by","created_at","status","error"}
boost::json::object scheduled_json(const scheduled_reply& r);

inline constexpr std::size_t max_scheduled_replies = 500;
inline constexpr std::size_t max_scheduled_per_conversation = 10;

class scheduled_replies {
public:
    explicit scheduled_replies(boost::asio::io_context& ioc);
    ~scheduled_replies();
    scheduled_replies(const scheduled_replies&) = delete;
    scheduled_replies& operator=(const scheduled_replies&) = delete;

    // Reads the kept ones and starts sending each at its time.
    void attach(api_context& ctx);
    // Sends no more; one being sent finishes.
    void stop();

    // A conversation's, the soonest first.
    std::vector<scheduled_reply> of(const std::string& phone) const;
    std::optional<scheduled_reply> find(const std::string& id) const;
    // Kept and announced; command_error (conflict) past the limits.
    boost::asio::awaitable<scheduled_reply> add(scheduled_reply r);
    // false when there is none of that id.
    boost::asio::awaitable<bool> remove(std::string id);
    // Every one of a conversation erased.
    boost::asio::awaitable<void> forget(std::string phone);

private:
    struct impl;
    std::shared_ptr<impl> impl_;
};

}  // namespace switchboard::api
