// Agents' notifications: made on conversation actors with their steps,
// pushed to the agent's sockets once kept, listed and marked read by the
// routes.
#include "switchboard/notify/notification_center.hpp"

#include "switchboard/chat/json.hpp"
#include "switchboard/core/log.hpp"
#include "switchboard/store/setting_writer.hpp"
#include "switchboard/store/store.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <set>

namespace switchboard::notify {

namespace net = boost::asio;
namespace json = boost::json;

namespace {

// Where the kinds each agent turned off are kept: {"bob":["message"]}.
constexpr std::string_view preferences_key = "notification_preferences";

bool name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
           c == '.';
}

}  // namespace

std::vector<std::string> mentioned_names(std::string_view text) {
    std::vector<std::string> out;
    for (std::size_t at = text.find('@'); at != std::string_view::npos; at = text.find('@', at + 1)) {
        if (at > 0 && (name_char(text[at - 1]) || text[at - 1] == '@')) continue;  // inside a name or an address
        auto end = at + 1;
        while (end < text.size() && name_char(text[end])) ++end;
        if (end < text.size() && text[end] == '@') continue;  // @bob@example.com
        auto name_end = end;
        while (name_end > at + 1 && text[name_end - 1] == '.') --name_end;  // "ask @bob."
        std::string name(text.substr(at + 1, name_end - at - 1));
        if (name.empty()) continue;
        std::transform(name.begin(), name.end(), name.begin(),
                       [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; });
        if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(std::move(name));
    }
    return out;
}

json::object notification_json(const notification& n) {
    return {{"id", n.id},
            {"type", n.type},
            {"conversation", n.conversation},
            {"name", chat::optional_text(n.name)},
            {"actor", chat::optional_text(n.actor)},
            {"seq", n.seq ? json::value(n.seq) : json::value(nullptr)},
            {"text", n.type == "mention" || n.type == "message" ? json::value(n.text) : json::value(nullptr)},
            {"target", chat::optional_text(n.target)},
            {"created_at", to_iso8601(n.created_at)},
            {"read_at", chat::optional_time(n.read_at)}};
}

struct notification_center::impl {
    impl(net::io_context& ioc, store::store& store, std::function<bool(std::string_view)> is_agent,
         std::function<void(const std::string&, std::string)> push)
        : store(store),
          is_agent(std::move(is_agent)),
          push(std::move(push)),
          strand(net::make_strand(ioc)),
          last_id(store.last_notification_id()),
          preferences_saver(store, std::string(preferences_key)) {
        load_preferences();
    }

    // Read at start, and again after a write the store refused.
    void load_preferences() {
        std::map<std::string, std::set<std::string, std::less<>>, std::less<>> loaded;
        if (auto stored = store.find_setting(preferences_key)) {
            try {
                auto parsed = json::parse(*stored);  // named: a range-for over its member would outlive it
                for (auto& [agent, kinds] : parsed.as_object())
                    for (auto& kind : kinds.as_array()) loaded[std::string(agent)].emplace(kind.as_string());
            } catch (const std::exception& e) {
                log::warn("stored notification preferences unreadable; every kind on", {{"error", e.what()}});
                loaded.clear();
            }
        }
        std::lock_guard lock(preferences_mutex);
        muted = std::move(loaded);
    }

    // Asked on conversations' actors, as each notification is made.
    bool wants(std::string_view agent, std::string_view type) const {
        std::lock_guard lock(preferences_mutex);
        return is_on(agent, type);
    }

    // Under preferences_mutex.
    bool is_on(std::string_view agent, std::string_view type) const {
        auto it = muted.find(agent);
        return it == muted.end() || !it->second.count(type);
    }
    json::object preferences_of(std::string_view agent) const {
        json::object out;
        for (auto type : notification_types) out[type] = is_on(agent, type);
        for (auto type : email_preference_types) out[type] = is_on(agent, type);
        return out;
    }
    std::string muted_json() const {
        json::object out;
        for (auto& [agent, kinds] : muted)
            if (!kinds.empty()) out[agent] = json::array(kinds.begin(), kinds.end());
        return json::serialize(out);
    }

    notification make(const chat::conversation& c, std::string agent, std::string type, std::string_view actor,
                      timestamp at) {
        notification n;
        n.id = ++last_id;
        n.agent = std::move(agent);
        n.type = std::move(type);
        n.conversation = c.phone;
        n.name = c.name;
        n.actor = std::string(actor);
        n.created_at = at;
        return n;
    }

    // One that tells of a message (a note, a user's): its seq and its start.
    notification about(const chat::conversation& c, std::string agent, std::string type, std::string_view actor,
                       const chat::message& m) {
        auto n = make(c, std::move(agent), std::move(type), actor, m.at);
        n.seq = m.seq;
        n.text = chat::utf8_prefix(m.text, max_text_chars);
        return n;
    }

    // Every frame tells the agent how many they have unread, so that each
    // of their consoles shows the same count without asking.
    // `conversation`, as typing's: the one it is about, if one.
    void send(const std::string& agent, std::string_view type, json::object data, std::string_view conversation = {}) {
        data["unread"] = store.count_unread_notifications(agent);
        json::object frame{{"type", type}};
        if (!conversation.empty()) frame["conversation"] = conversation;
        frame["data"] = std::move(data);
        frame["at"] = to_iso8601(std::chrono::system_clock::now());
        push(agent, json::serialize(frame));
    }

    void tell_updated(const std::string& agent, const std::vector<std::uint64_t>& ids,
                      const std::optional<timestamp>& read_at) {
        json::array id_list(ids.begin(), ids.end());
        send(agent, "notification.updated", {{"ids", std::move(id_list)}, {"read_at", chat::optional_time(read_at)}});
    }

    store::store& store;
    std::function<bool(std::string_view)> is_agent;
    std::function<void(const std::string&, std::string)> push;
    net::strand<net::io_context::executor_type> strand;  // pushes, in the order their steps were kept
    std::atomic<std::uint64_t> last_id;
    // Each agent's kinds turned off. A small table every actor reads as it
    // makes a notification, and agents seldom change: one lock.
    mutable std::mutex preferences_mutex;
    std::map<std::string, std::set<std::string, std::less<>>, std::less<>> muted;
    store::setting_writer preferences_saver;
    std::function<void(const notification&)> also_kept;
};

notification_center::notification_center(net::io_context& ioc, store::store& store,
                                         std::function<bool(std::string_view)> is_agent,
                                         std::function<void(const std::string&, std::string)> push)
    : impl_(std::make_shared<impl>(ioc, store, std::move(is_agent), std::move(push))) {}

notification_center::~notification_center() = default;

std::vector<notification> notification_center::mentioned_in(const chat::conversation& c, const chat::message& note,
                                                            std::string_view named_before) {
    std::vector<notification> out;
    auto before = mentioned_names(named_before);
    for (auto& name : mentioned_names(note.text)) {
        if (name == note.agent || !impl_->is_agent(name) || !impl_->wants(name, "mention")) continue;
        if (std::find(before.begin(), before.end(), name) != before.end()) continue;  // told already
        out.push_back(impl_->about(c, name, "mention", note.agent, note));
    }
    return out;
}

std::optional<notification> notification_center::assigned(const chat::conversation& c, std::string_view to,
                                                          std::string_view by) {
    if (to == by) return std::nullopt;  // they took it themselves
    if (!impl_->wants(to, "assigned")) return std::nullopt;
    return impl_->make(c, std::string(to), "assigned", by, std::chrono::system_clock::now());
}

std::optional<notification> notification_center::missed_target(const chat::conversation& c,
                                                               std::string_view target) {
    if (c.assignee.empty()) return std::nullopt;  // the queue's: everyone sees it late
    if (!impl_->wants(c.assignee, "sla_missed")) return std::nullopt;
    auto n = impl_->make(c, c.assignee, "sla_missed", "", std::chrono::system_clock::now());
    n.target = std::string(target);
    return n;
}

std::vector<notification> notification_center::user_wrote(const chat::conversation& c, const chat::message& m) {
    std::vector<notification> out;
    if (c.muted) return out;  // an agent muted it: nobody is told
    for (auto& name : c.participants) {
        // The agent who has the chat sees it in their list, unread, and hears it.
        if (name == c.assignee || !impl_->is_agent(name) || !impl_->wants(name, "message")) continue;
        out.push_back(impl_->about(c, name, "message", "", m));
    }
    return out;
}

std::vector<notification> notification_center::note_rewritten(const chat::conversation& c, std::uint64_t seq,
                                                              std::string_view named, std::string_view text) {
    // Those it made are its mentions' agents' (any since deactivated too),
    // among each one's newest notifications_kept.
    std::vector<notification> out;
    for (auto& name : mentioned_names(named))
        for (auto& n : impl_->store.load_notifications(name, UINT64_MAX, notifications_kept, false))
            if (n.type == "mention" && n.conversation == c.phone && n.seq == seq) {
                n.text = chat::utf8_prefix(text, max_text_chars);
                out.push_back(std::move(n));
            }
    return out;
}

void notification_center::kept(std::vector<notification> made) {
    net::post(impl_->strand, [self = impl_, made = std::move(made)] {
        for (auto& n : made) {
            try {
                self->send(n.agent, "notification.created", {{"notification", notification_json(n)}}, n.conversation);
                if (self->also_kept) self->also_kept(n);
            } catch (const std::exception& e) {
                log::warn("a notification not pushed", {{"agent", n.agent}, {"error", e.what()}});
            }
        }
    });
}

void notification_center::on_kept(std::function<void(const notification&)> also) { impl_->also_kept = std::move(also); }

notification_page notification_center::page(std::string_view agent, std::uint64_t before, std::size_t limit,
                                             bool unread_only) const {
    // One more than asked: whether a page follows.
    auto items = impl_->store.load_notifications(agent, before ? before : UINT64_MAX, limit + 1, unread_only);
    bool more = items.size() > limit;
    if (more) items.pop_back();
    return {std::move(items), more};
}

std::size_t notification_center::unread(std::string_view agent) const {
    return impl_->store.count_unread_notifications(agent);
}

net::awaitable<std::optional<notification>> notification_center::mark(std::string agent, std::uint64_t id, bool read) {
    auto self = impl_;
    auto n = self->store.find_notification(id);
    if (!n || n->agent != agent) co_return std::nullopt;
    if (n->read_at.has_value() == read) co_return n;  // so already
    if (read)
        n->read_at = std::chrono::system_clock::now();
    else
        n->read_at.reset();
    store::write_batch b;
    b.notifications_put.push_back(*n);
    co_await self->store.write(std::move(b));
    std::vector<std::uint64_t> ids{id};
    self->tell_updated(agent, ids, n->read_at);
    co_return n;
}

net::awaitable<std::size_t> notification_center::mark_all_read(std::string agent, std::string conversation) {
    auto self = impl_;
    auto now = std::chrono::system_clock::now();
    store::write_batch b;
    std::vector<std::uint64_t> ids;
    // An agent keeps notifications_kept at most, read or not: one read covers them.
    for (auto& n : self->store.load_notifications(agent, UINT64_MAX, notifications_kept, true)) {
        if (!conversation.empty() && n.conversation != conversation) continue;
        n.read_at = now;
        ids.push_back(n.id);
        b.notifications_put.push_back(std::move(n));
    }
    if (ids.empty()) co_return 0;
    co_await self->store.write(std::move(b));
    self->tell_updated(agent, ids, now);
    co_return ids.size();
}

bool notification_center::mails(std::string_view agent, std::string_view type) const {
    return impl_->wants(agent, "email_" + std::string(type));
}

json::object notification_center::preferences(std::string_view agent) const {
    std::lock_guard lock(impl_->preferences_mutex);
    return impl_->preferences_of(agent);
}

net::awaitable<json::object> notification_center::set_preferences(std::string agent,
                                                                  std::vector<std::pair<std::string, bool>> changes) {
    auto self = impl_;
    {
        std::lock_guard lock(self->preferences_mutex);
        auto& kinds = self->muted[agent];
        for (auto& [type, on] : changes) {
            if (on) kinds.erase(type);
            else kinds.insert(type);
        }
        self->preferences_saver.changed();
    }
    auto saving = self->preferences_saver.save(
        self->preferences_mutex, [self] { return self->muted_json(); }, [self] { self->load_preferences(); });
    co_await std::move(saving);
    // Under the lock, so the agent's sockets get them in the order they
    // were set: the last they get is as it is.
    std::lock_guard lock(self->preferences_mutex);
    auto now = self->preferences_of(agent);
    json::object frame{{"type", "notification_preferences.updated"},
                       {"data", {{"preferences", now}}},
                       {"at", to_iso8601(std::chrono::system_clock::now())}};
    self->push(agent, json::serialize(frame));
    co_return now;
}

}  // namespace switchboard::notify
