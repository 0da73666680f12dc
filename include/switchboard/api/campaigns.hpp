// Campaigns, as Chatwoot's one-off campaigns: an admin's message to every
// user on a channel whose conversation is filed under any of its labels,
// sent at a time they choose (at once by default). A runner on a strand of
// its own sends one campaign at a time, a user at a time in order of phone,
// each through the user's conversation actor (engine::send_campaign), and
// keeps where it is after each: a campaign a restart interrupted goes on
// from the next user. Kept in the store as settings: the list of ids, and
// each campaign under its own key, so that its progress is a small write.
#pragma once

#include "switchboard/chat/engine.hpp"

#include <boost/asio/awaitable.hpp>

#include <cstdint>
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

enum class campaign_status { scheduled, running, done };
std::string_view to_string(campaign_status s);

struct campaign {
    std::string id, name;
    chat::channel via = chat::channel::plain;
    std::vector<std::string> labels;  // the audience: any of them (label_from's form, sorted)
    std::vector<std::string> except_labels;  // but none of these (likewise)
    // A plain-webhook user's text; a WhatsApp user's template as they read
    // it (`text`), with the object the send API takes.
    chat::outgoing_template message;
    std::string template_name, template_language;  // WhatsApp's: for the list
    timestamp scheduled_at{};
    campaign_status status = campaign_status::scheduled;
    std::string created_by, created_by_name;  // the admin: its messages are theirs
    timestamp created_at{};
    std::optional<timestamp> started_at, finished_at;
    // Users it was for when it started, those sent it, and those it passed
    // over when their turn came (in a chat, blocked, no longer filed so).
    std::uint64_t recipients = 0, sent = 0, skipped = 0;
    // Its messages as the provider told of them since: delivered (read ones
    // too), read, and failed (refused, or undeliverable).
    std::uint64_t delivered = 0, read = 0, failed = 0;
    std::string last_phone;  // the last user it reached: where a run goes on from
};

boost::json::object campaign_json(const campaign& c);
chat::campaign_audience audience_of(const campaign& c);

// The most kept: a campaign done is deleted to make room.
inline constexpr std::size_t max_campaigns = 100;

struct campaign_options {
    // Messages a second a campaign sends at most (--campaign-rate): the
    // outbox that delivers them carries the live chats' replies too, and
    // WhatsApp takes 80 a second from a number at first. 0: no limit.
    unsigned rate = 50;
};

class campaign_runner {
public:
    campaign_runner(boost::asio::io_context& ioc, campaign_options options);
    ~campaign_runner();
    campaign_runner(const campaign_runner&) = delete;
    campaign_runner& operator=(const campaign_runner&) = delete;

    // Reads the kept campaigns and starts the clock that runs each when due
    // (add_campaign_routes, once the API is there).
    void attach(api_context& ctx);
    // The run under way stops after the user it is at, its place kept.
    void stop();
    // One of campaign `id`'s messages moved on from `was` to `now`
    // (engine_options::campaign_delivery): counted, kept and told within a
    // second. From any thread.
    void delivery(const std::string& id, chat::message_status was, chat::message_status now);

    std::vector<campaign> list() const;  // newest first
    std::optional<campaign> find(std::string_view id) const;
    // Keeps it (id, status and counts are the runner's); command_error
    // (conflict) when max_campaigns are kept.
    boost::asio::awaitable<campaign> create(campaign c);
    // Keeps `c` in place of the campaign of its id, its name, audience,
    // message and time: command_error (not_found) when there is none,
    // (conflict) once it has started.
    boost::asio::awaitable<campaign> change(campaign c);
    // Forgets it; one under way stops after the user it is at. false: none such.
    boost::asio::awaitable<bool> remove(std::string id);

    struct impl;

private:
    std::shared_ptr<impl> impl_;
};

}  // namespace switchboard::api
