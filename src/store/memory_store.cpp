// The in-memory store (`--data :memory:`): the same contract as SQLite,
// with nothing surviving the process.
#include "switchboard/store/store.hpp"

#include <algorithm>
#include <map>
#include <mutex>
#include <unordered_map>

namespace switchboard::store {

namespace {

class memory_store final : public store {
public:
    boost::asio::awaitable<void> write(write_batch b) override {
        std::lock_guard lock(mutex_);
        if (b.conversation) conversations_[b.conversation->phone] = std::move(*b.conversation);
        for (auto& m : b.messages) {
            auto& list = messages_[m.phone];
            if (!m.channel_id.empty() && m.from != chat::sender::user)
                by_channel_id_[m.phone + '\n' + m.channel_id] = m.seq;
            list[m.seq] = std::move(m);
        }
        for (auto& o : b.outbox_put) outbox_[o.message_id] = std::move(o);
        for (auto& id : b.outbox_remove) outbox_.erase(id);
        for (auto& [k, v] : b.dedupe) dedupe_[k] = std::move(v);
        for (auto& r : b.ratings) ratings_.push_back(std::move(r));
        for (auto& a : b.agents_put) agents_[a.username] = std::move(a);
        for (auto& x : b.sessions_put) sessions_[x.token_hash] = std::move(x);
        for (auto& h : b.sessions_remove) sessions_.erase(h);
        for (auto& e : b.events_put) events_[e.seq] = std::move(e);
        for (auto& c : b.chats_put) chats_[c.ticket_id] = std::move(c);
        if (b.events_prune_before)
            std::erase_if(events_, [&](auto& kv) { return kv.second.at < *b.events_prune_before; });
        co_return;
    }

    std::optional<std::string> find_dedupe(std::string_view key) const override {
        std::lock_guard lock(mutex_);
        auto it = dedupe_.find(std::string(key));
        if (it == dedupe_.end()) return std::nullopt;
        return it->second;
    }

    std::vector<chat::conversation> load_conversations() const override {
        std::lock_guard lock(mutex_);
        std::vector<chat::conversation> out;
        for (auto& [_, c] : conversations_) out.push_back(c);
        return out;
    }

    std::vector<chat::message> load_messages(std::string_view phone, std::uint64_t before_seq,
                                             std::size_t limit) const override {
        std::lock_guard lock(mutex_);
        std::vector<chat::message> out;
        auto it = messages_.find(std::string(phone));
        if (it == messages_.end()) return out;
        auto& list = it->second;
        for (auto m = list.lower_bound(before_seq); m != list.begin() && out.size() < limit;) {
            --m;
            out.push_back(m->second);
        }
        return {out.rbegin(), out.rend()};
    }

    std::optional<chat::message> find_message(std::string_view phone, std::uint64_t seq) const override {
        std::lock_guard lock(mutex_);
        auto it = messages_.find(std::string(phone));
        if (it == messages_.end()) return std::nullopt;
        auto m = it->second.find(seq);
        if (m == it->second.end()) return std::nullopt;
        return m->second;
    }

    std::optional<chat::message> find_message_by_channel_id(std::string_view phone,
                                                            std::string_view channel_id) const override {
        std::uint64_t seq;
        {
            std::lock_guard lock(mutex_);
            auto it = by_channel_id_.find(std::string(phone) + '\n' + std::string(channel_id));
            if (it == by_channel_id_.end()) return std::nullopt;
            seq = it->second;
        }
        return find_message(phone, seq);
    }

    std::vector<outbox_item> load_outbox() const override {
        std::lock_guard lock(mutex_);
        std::vector<outbox_item> out;
        for (auto& [_, o] : outbox_) out.push_back(o);
        return out;
    }

    std::vector<rating> load_ratings() const override {
        std::lock_guard lock(mutex_);
        return ratings_;
    }

    std::uint32_t count_user_messages_after(std::string_view phone, std::uint64_t seq) const override {
        std::lock_guard lock(mutex_);
        auto it = messages_.find(std::string(phone));
        if (it == messages_.end()) return 0;
        std::uint32_t n = 0;
        for (auto m = it->second.upper_bound(seq); m != it->second.end(); ++m)
            if (m->second.from == chat::sender::user) ++n;
        return n;
    }

    std::vector<std::string> phones_with_text(std::string_view text, std::size_t limit) const override {
        auto lower = [](std::string s) {
            for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            return s;
        };
        auto needle = lower(std::string(text));
        std::lock_guard lock(mutex_);
        std::vector<std::string> out;
        for (auto& [phone, list] : messages_) {
            if (out.size() >= limit) break;
            for (auto& [_, m] : list)
                if (lower(m.text).find(needle) != std::string::npos) {
                    out.push_back(phone);
                    break;
                }
        }
        return out;
    }

    std::vector<chat::message> load_messages_between(timestamp from, timestamp to, const std::optional<message_key>& after,
                                                     std::size_t limit) const override {
        std::lock_guard lock(mutex_);
        auto key = [](const chat::message& m) { return std::tie(m.at, m.phone, m.seq); };
        std::vector<const chat::message*> hits;
        for (auto& [_, list] : messages_)
            for (auto& [seq, m] : list) {
                if (m.at < from || m.at >= to) continue;
                if (after && key(m) <= std::tie(after->at, after->phone, after->seq)) continue;
                hits.push_back(&m);
            }
        auto n = std::min(limit, hits.size());
        std::partial_sort(hits.begin(), hits.begin() + static_cast<std::ptrdiff_t>(n), hits.end(),
                          [&](auto* a, auto* b) { return key(*a) < key(*b); });
        std::vector<chat::message> out;
        for (std::size_t i = 0; i < n; ++i) out.push_back(*hits[i]);
        return out;
    }

    std::vector<chat::chat_record> load_open_chats() const override {
        std::lock_guard lock(mutex_);
        std::vector<chat::chat_record> out;
        for (auto& [_, c] : chats_)
            if (!c.closed_at) out.push_back(c);
        return out;
    }

    std::vector<chat::chat_record> load_chats(timestamp from, timestamp to) const override {
        std::lock_guard lock(mutex_);
        std::vector<chat::chat_record> out;
        auto in = [&](const std::optional<timestamp>& t) { return t && *t >= from && *t < to; };
        for (auto& [_, c] : chats_)
            if (in(c.opened_at) || in(c.closed_at)) out.push_back(c);
        return out;
    }

    std::vector<agent_record> load_agents() const override {
        std::lock_guard lock(mutex_);
        std::vector<agent_record> out;
        for (auto& [_, a] : agents_) out.push_back(a);
        return out;
    }

    std::optional<agent_record> find_agent(std::string_view username) const override {
        std::lock_guard lock(mutex_);
        auto it = agents_.find(std::string(username));
        if (it == agents_.end()) return std::nullopt;
        return it->second;
    }

    std::vector<session_record> load_sessions(timestamp now) const override {
        std::lock_guard lock(mutex_);
        std::vector<session_record> out;
        for (auto& [_, x] : sessions_)
            if (x.expires_at > now) out.push_back(x);
        return out;
    }

    std::vector<event_record> load_events(std::uint64_t after, std::size_t limit) const override {
        std::lock_guard lock(mutex_);
        std::vector<event_record> out;
        for (auto it = events_.upper_bound(after); it != events_.end() && out.size() < limit; ++it)
            out.push_back(it->second);
        return out;
    }

    std::pair<std::uint64_t, std::uint64_t> event_bounds() const override {
        std::lock_guard lock(mutex_);
        if (events_.empty()) return {0, 0};
        return {events_.begin()->first, events_.rbegin()->first};
    }

    void close() override {}

private:
    mutable std::mutex mutex_;  // the store's own tables; conversation state lives in actors
    std::unordered_map<std::string, chat::conversation> conversations_;
    std::unordered_map<std::string, std::map<std::uint64_t, chat::message>> messages_;
    std::unordered_map<std::string, std::uint64_t> by_channel_id_;
    std::map<std::string, outbox_item> outbox_;
    std::unordered_map<std::string, std::string> dedupe_;
    std::vector<rating> ratings_;
    std::map<std::string, agent_record> agents_;
    std::unordered_map<std::string, session_record> sessions_;
    std::map<std::uint64_t, event_record> events_;
    std::map<std::string, chat::chat_record> chats_;
};

}  // namespace

std::unique_ptr<store> make_memory_store() { return std::make_unique<memory_store>(); }

}  // namespace switchboard::store
