// Agents' notifications (Chatwoot's notification inbox): a note that
// mentions an agent, a chat handed to one, their chat past a target (SLA).
// A conversation's actor makes them as part of its step
// (chat::agent_notifier), so each is kept with what it tells of, or not at
// all. Once kept, each goes to its agent's open sockets as
// `notification.created`; an agent who was away finds it in
// GET /notifications. The routes (api/notification_routes.cpp) list them
// and mark them read.
#pragma once

#include "switchboard/chat/engine.hpp"
#include "switchboard/notify/notification.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include <array>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::notify {

// The usernames `text` names as @username, lower case, each once, in the
// order written: as the console's `mentions` reads a note. A name runs over
// a-z, 0-9, '_', '-' and '.' in any case; it stands on its own (not after a
// letter, a digit or one of those, so eve@example.com names nobody, nor
// before another '@'), and full stops after it end the sentence.
std::vector<std::string> mentioned_names(std::string_view text);

boost::json::object notification_json(const notification& n);

// The kinds of notification, as `type` names them, each of which an agent
// can turn off for themselves (Chatwoot's notification preferences).
inline constexpr std::array<std::string_view, 4> notification_types{"mention", "assigned", "sla_missed", "message"};
// The same kinds by e-mail, while the agent has no console open: each can
// be turned off apart, the inbox keeping it (Chatwoot's e-mail preferences).
inline constexpr std::array<std::string_view, 4> email_preference_types{"email_mention", "email_assigned",
                                                                         "email_sla_missed", "email_message"};

struct notification_page {
    std::vector<notification> items;  // newest first
    bool more = false;                // older ones follow the last
};

class notification_center final : public chat::agent_notifier {
public:
    // `is_agent`: whether a username is an active agent's, whom a note can
    // mention. `push`: sends a frame to each socket `agent` has open now.
    // Both are called from any thread.
    notification_center(boost::asio::io_context& ioc, store::store& store,
                        std::function<bool(std::string_view)> is_agent,
                        std::function<void(const std::string& agent, std::string frame)> push);
    ~notification_center() override;

    // chat::agent_notifier.
    std::vector<notification> mentioned_in(const chat::conversation& c, const chat::message& note,
                                           std::string_view named_before) override;
    std::optional<notification> assigned(const chat::conversation& c, std::string_view to,
                                         std::string_view by) override;
    std::optional<notification> missed_target(const chat::conversation& c, std::string_view target) override;
    std::vector<notification> user_wrote(const chat::conversation& c, const chat::message& m) override;
    std::vector<notification> note_rewritten(const chat::conversation& c, std::uint64_t seq, std::string_view named,
                                             std::string_view text) override;
    void kept(std::vector<notification> made) override;
    // Also told of each one kept, after its sockets (for e-mail to an agent
    // who has none open). Set before the engine starts; called on one strand.
    void on_kept(std::function<void(const notification&)> also);

    // `agent`'s, newest first, older than `before` (0: from the newest).
    notification_page page(std::string_view agent, std::uint64_t before, std::size_t limit, bool unread_only) const;
    std::size_t unread(std::string_view agent) const;
    // One of `agent`'s read, or unread again, as it then is; nullopt when
    // they have none with that id. Kept before it returns.
    boost::asio::awaitable<std::optional<notification>> mark(std::string agent, std::uint64_t id, bool read);
    // Every unread one of `agent`'s read, or those about one conversation
    // (`conversation` not empty); how many were.
    boost::asio::awaitable<std::size_t> mark_all_read(std::string agent, std::string conversation);

    // Whether `agent` is told of each of notification_types, and by e-mail
    // of each (email_preference_types): {"mention":true,…,"email_mention":true,…}.
    // Every kind is on until they turn it off.
    boost::json::object preferences(std::string_view agent) const;
    // Whether `agent` wants notifications of `type` (notification::type) by e-mail too.
    bool mails(std::string_view agent, std::string_view type) const;
    // Turns kinds on (true) or off for `agent`, keeps that, and tells their
    // sockets (notification_preferences.updated); returns them all. A kind
    // turned off makes no notification from then on; those made stay.
    // `changes` name only notification_types and email_preference_types. Throws store::unavailable,
    // and then nothing changed.
    boost::asio::awaitable<boost::json::object> set_preferences(std::string agent,
                                                                std::vector<std::pair<std::string, bool>> changes);

    struct impl;

private:
    std::shared_ptr<impl> impl_;
};

}  // namespace switchboard::notify
