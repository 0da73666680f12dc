// The in-memory store (`--data :memory:`): the same contract as SQLite,
// with nothing surviving the process.
#include "switchboard/store/store.hpp"

#include "../core/adaptive_mutex.hpp"
#include "../core/string_map.hpp"
#include "memory_dedupe.hpp"
#include "memory_event_log.hpp"
#include "memory_time_log.hpp"
#include "packed_message.hpp"
#include "seq_order.hpp"
#include "switchboard/core/ascii_case.hpp"

#include <boost/unordered/unordered_flat_set.hpp>

#include <algorithm>
#include <array>
#include <limits>
#include <deque>
#include <map>
#include <mutex>
#include <unordered_map>

namespace switchboard::store {

namespace {

// A conversation's messages in seq order. They come in order, nearly
// always after the last one: a vector takes them with no node to allocate
// and no tree to rebalance (in a std::map, the walk and the rebalancing were
// a cache miss per level, 4% of a webhook in memory).
struct stored_message {
    std::uint64_t seq;
    packed_message message;
};
using message_list = std::vector<stored_message>;

// A conversation's messages and the number its shard's time log knows it by.
struct conversation_messages {
    message_list list;
    std::uint32_t number;
};

// Each conversation's rows live in the shard its phone hashes to, and each
// dedupe key in the shard of its own hash: the two io threads seldom meet on
// one lock. A batch is applied shard by shard; only its own conversation's
// actor reads that conversation's rows, so no reader sees half a step.
class memory_store final : public store {
public:
    void async_write(write_batch b, write_done done) override {
        std::exception_ptr failed;
        try {
            apply(b);
        } catch (...) {
            failed = std::current_exception();
        }
        ++nested_answers;
        std::move(done)(failed);
        --nested_answers;
    }

    void async_rewrite_events(events::data_rewrite r, write_done done) override {
        change_events(std::move(done), [&] { events_.rewrite(r); });
    }

    // Read as erased at once; the blocks by the log's sweep, a part now and
    // one with each block put (memory_event_log::erase).
    void async_erase_events(events::erased_conversation e, write_done done) override {
        change_events(std::move(done), [&] { events_.erase(e); });
    }

    // `change` to the event log under its lock, and `done` answered with its failure, if any.
    template <class Change>
    void change_events(write_done done, Change change) {
        std::exception_ptr failed;
        try {
            std::lock_guard lock(mutex_);
            change();
        } catch (...) {
            failed = std::current_exception();
        }
        std::move(done)(failed);
    }

    // Answered at once, a writer resumes inside async_write: past a few
    // answers nested so on this thread, it goes on from its queue (store::write).
    bool answering_deep() const override { return nested_answers > max_nested_answers; }
    static constexpr int max_nested_answers = 8;
    static thread_local int nested_answers;

    void apply(write_batch& b) {
        if (b.erase_conversation) erase(b.erase_conversation->phone);
        if (b.conversation) {
            auto& s = shard_for(b.conversation->phone);
            std::lock_guard lock(s.mutex);
            auto key = b.conversation->phone;
            s.conversations.insert_or_assign(std::move(key), std::move(*b.conversation));
        }
        // A step's messages are all its conversation's: one lock and one
        // lookup for them all.
        conversation_shard* shard = nullptr;
        std::unique_lock<adaptive_mutex> shard_lock;
        conversation_messages* list = nullptr;
        const std::string* list_phone = nullptr;
        for (auto& m : b.messages) {
            if (auto& s = shard_for(m.phone); &s != shard) {
                if (shard_lock) shard_lock.unlock();
                shard_lock = std::unique_lock(s.mutex);
                shard = &s;
                list = nullptr;
            }
            if (!m.channel_id.empty() && m.from != chat::sender::user)
                shard->by_channel_id[m.phone + '\n' + m.channel_id] = m.seq;
            if (!list || *list_phone != m.phone) {
                list = &shard->messages_of(m.phone);
                list_phone = &m.phone;
            }
            shard->put(*list, m);
        }
        if (shard_lock) shard_lock.unlock();
        for (auto& r : b.dedupe) dedupe_.put(r.key, r.answer);
        if (!b.has_shared_parts()) return;
        // Packed before the lock: it is most of a flush's time.
        std::optional<packed_event_block> events;
        if (!b.events_put.empty()) events = pack_events(b.events_put);
        std::lock_guard lock(mutex_);
        for (auto& o : b.outbox_put) outbox_[o.message_id] = std::move(o);
        for (auto& id : b.outbox_remove) outbox_.erase(id);
        for (auto& r : b.ratings) {
            scores_[r.ticket_id] = r.score;
            ratings_.push_back(std::move(r));
        }
        for (auto& a : b.agents_put) agents_[a.username] = std::move(a);
        for (auto& x : b.sessions_put) sessions_[x.token_hash] = std::move(x);
        for (auto& h : b.sessions_remove) sessions_.erase(h);
        if (b.sessions_expired_by)
            std::erase_if(sessions_, [&](auto& kv) { return kv.second.expires_at <= *b.sessions_expired_by; });
        if (events) events_.put(std::move(*events));
        for (auto& c : b.chats_put) {
            auto [at, made] = chats_.insert_or_assign(c.ticket_id, std::move(c));
            if (made) chats_of_[at->second.phone].push_back(&at->second);
        }
        for (auto& s : b.canned_remove) canned_.erase(s);
        for (auto& r : b.canned_put) canned_[r.shortcut] = std::move(r);
        for (auto& [key, value] : b.settings_put) settings_[key] = std::move(value);
        for (auto& key : b.settings_remove) settings_.erase(key);
        for (auto& e : b.audit_put) {
            e.id = ++last_audit_id_;
            audit_.push_back(std::move(e));
            if (audit_.size() > audit_entries_kept) audit_.pop_front();
        }
        for (auto& n : b.notifications_put) {
            auto& theirs = notifications_[n.agent];
            theirs.insert_or_assign(n.id, std::move(n));
            while (theirs.size() > notify::notifications_kept) theirs.erase(theirs.begin());
        }
        if (b.events_prune_before)
            events_.prune_before(*b.events_prune_before);
    }

    // write_batch::erase_conversation.
    void erase(const std::string& phone) {
        {
            auto& s = shard_for(phone);
            std::lock_guard lock(s.mutex);
            if (auto it = s.conversations.find(phone); it != s.conversations.end()) s.conversations.erase(it);
            if (auto it = s.messages.find(phone); it != s.messages.end()) {
                for (auto& m : it->second.list) {
                    auto id = m.message.channel_id();
                    if (id.empty()) continue;
                    if (m.message.from != chat::sender::user) {
                        s.by_channel_id.erase(phone + '\n' + std::string(id));
                    } else {
                        // The webhook's answer (the bot's words to them, by name): as SQLite
                        // keeps it in the message's row. Under whichever channel it came by.
                        for (auto via : {chat::channel::plain, chat::channel::whatsapp})
                            dedupe_.erase(chat::dedupe_key(via, id));
                    }
                }
                // The time log keeps its entries, which would name the
                // user's next messages by their seqs: exports read this
                // conversation whole from now on.
                it->second.list.clear();
                s.read_whole.insert(it->second.number);
            }
        }
        std::lock_guard lock(mutex_);
        std::erase_if(outbox_, [&](const auto& kv) { return kv.second.phone == phone; });
        std::erase_if(ratings_, [&](const rating& r) { return r.phone == phone; });
        if (auto it = chats_of_.find(phone); it != chats_of_.end()) {
            for (auto* chat : it->second) {
                auto ticket = chat->ticket_id;  // the map's node goes with its chat
                scores_.erase(ticket);
                chats_.erase(ticket);
            }
            chats_of_.erase(it);
        }
        for (auto& [agent, theirs] : notifications_)
            std::erase_if(theirs, [&](const auto& kv) { return kv.second.conversation == phone; });
    }

    std::optional<std::string> find_dedupe(std::string_view key) const override { return dedupe_.find(key); }

    std::vector<chat::conversation> load_conversations() const override {
        std::vector<chat::conversation> out;
        for (auto& s : shards_) {
            std::lock_guard lock(s.mutex);
            for (auto& [_, c] : s.conversations) out.push_back(c);
        }
        return out;
    }

    std::vector<row_catch_up> load_row_catch_ups() const override {
        std::vector<row_catch_up> out;
        for (auto& s : shards_) {
            std::lock_guard lock(s.mutex);
            for (auto& [phone, c] : s.conversations) {
                auto it = s.messages.find(phone);
                if (it == s.messages.end() || it->second.list.empty() || it->second.list.back().seq <= c.last_seq)
                    continue;
                auto& list = it->second.list;
                auto& newest = list.back();
                row_catch_up up{newest.message.unpack(phone, newest.seq), 0, std::nullopt};
                auto first = seq_upper_bound(list, c.last_seq);
                for (auto m = first; m != list.end(); ++m)
                    if (m->message.from == chat::sender::user) ++up.user_messages;
                for (auto m = list.end(); m != first && !up.preview;) {
                    --m;
                    if (auto candidate = m->message.unpack(phone, m->seq); chat::moves_preview(candidate))
                        up.preview = std::move(candidate);
                }
                out.push_back(std::move(up));
            }
        }
        return out;
    }

    std::vector<chat::message> load_messages(std::string_view phone, std::uint64_t before_seq,
                                             std::size_t limit) const override {
        auto& s = shard_for(phone);
        std::lock_guard lock(s.mutex);
        std::vector<chat::message> out;
        auto it = s.messages.find(phone);
        if (it == s.messages.end()) return out;
        auto& list = it->second.list;
        for (auto m = seq_lower_bound(list, before_seq); m != list.begin() && out.size() < limit;) {
            --m;
            out.push_back(m->message.unpack(phone, m->seq));
        }
        return {out.rbegin(), out.rend()};
    }

    std::optional<chat::message> find_message(std::string_view phone, std::uint64_t seq) const override {
        auto& s = shard_for(phone);
        std::lock_guard lock(s.mutex);
        return find_message_locked(s, phone, seq);
    }

    std::optional<chat::message> find_message_by_channel_id(std::string_view phone,
                                                            std::string_view channel_id) const override {
        auto& s = shard_for(phone);
        std::lock_guard lock(s.mutex);
        auto it = s.by_channel_id.find(std::string(phone) + '\n' + std::string(channel_id));
        if (it == s.by_channel_id.end()) return std::nullopt;
        return find_message_locked(s, phone, it->second);
    }

    std::optional<chat::message> find_latest_user_message(std::string_view phone,
                                                          std::uint64_t before_seq) const override {
        auto& s = shard_for(phone);
        std::lock_guard lock(s.mutex);
        auto it = s.messages.find(phone);
        if (it == s.messages.end()) return std::nullopt;
        auto& list = it->second.list;
        for (auto m = seq_lower_bound(list, before_seq); m != list.begin();)
            if ((--m)->message.from == chat::sender::user) return m->message.unpack(phone, m->seq);
        return std::nullopt;
    }

    // In memory a user's message is found by a look through its
    // conversation, newest first: quotes are of recent messages, and an
    // index entry a message would cost every message its room.
    std::uint64_t find_user_message_seq(std::string_view phone, std::string_view channel_id,
                                        std::string_view) const override {
        auto& s = shard_for(phone);
        std::lock_guard lock(s.mutex);
        auto it = s.messages.find(phone);
        if (it == s.messages.end()) return 0;
        auto& list = it->second.list;
        for (auto m = list.rbegin(); m != list.rend(); ++m)
            if (m->message.from == chat::sender::user && m->message.channel_id() == channel_id) return m->seq;
        return 0;
    }

    std::vector<outbox_item> load_outbox() const override {
        std::lock_guard lock(mutex_);
        std::vector<outbox_item> out;
        for (auto& [_, o] : outbox_) out.push_back(o);
        return out;
    }

    void each_rating(timestamp from, timestamp to, const std::function<void(const rating&)>& f) const override {
        std::lock_guard lock(mutex_);
        for (auto& r : ratings_)
            if (r.at >= from && r.at < to) f(r);
    }

    std::uint32_t count_user_messages_after(std::string_view phone, std::uint64_t seq) const override {
        auto& s = shard_for(phone);
        std::lock_guard lock(s.mutex);
        auto it = s.messages.find(phone);
        if (it == s.messages.end()) return 0;
        std::uint32_t n = 0;
        for (auto m = seq_upper_bound(it->second.list, seq); m != it->second.list.end(); ++m)
            if (m->message.from == chat::sender::user) ++n;
        return n;
    }

    std::vector<text_match> text_matches(std::string_view text, std::size_t limit,
                                         const std::function<bool()>& stop) const override {
        auto needle = ascii_lowered(std::string(text));
        struct found {
            text_match match;
            timestamp at;
        };
        std::vector<found> all;
        for (auto& s : shards_) {
            if (stop && stop()) break;
            // A conversation at a time under the shard's lock, not the whole
            // shard: webhooks for its conversations wait for one
            // conversation's messages at most (a whole shard of a million
            // messages held them 30 ms). Conversations by their number in
            // the shard, which only grows while the lock is let go.
            for (std::size_t n = 0;; ++n) {
                std::lock_guard lock(s.mutex);
                if (n >= s.phones.size()) break;
                auto& phone = s.phones[n];
                auto& list = s.messages.find(phone)->second.list;
                // From the newest: the match a search shows is the latest.
                for (auto e = list.rbegin(); e != list.rend(); ++e)
                    if (e->message.from != chat::sender::bot && contains_ignoring_case(e->message.text(), needle)) {
                        all.push_back({{phone, e->seq}, e->message.at});
                        break;
                    }
            }
        }
        // Past `limit`, those with the latest matches, as SQLite's scan from
        // the newest row finds them.
        if (all.size() > limit) {
            std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(limit), all.end(),
                              [](const found& a, const found& b) { return a.at > b.at; });
            all.resize(limit);
        }
        std::vector<text_match> out;
        out.reserve(all.size());
        for (auto& f : all) out.push_back(std::move(f.match));
        return out;
    }

    std::vector<chat::message> load_messages_between(timestamp from, timestamp to, const std::optional<message_key>& after,
                                                     std::size_t limit) const override {
        // The first `limit` by key, kept as a heap whose top is the last of
        // them: a message is unpacked only when it gets in. Each shard's time
        // log gives the messages sent within the range, a few blocks of them
        // for a page (memory_time_log.hpp).
        auto key = [](const chat::message& m) { return std::tie(m.at, m.phone, m.seq); };
        auto before = [&](const chat::message& a, const chat::message& b) { return key(a) < key(b); };
        std::vector<chat::message> page;
        if (limit == 0) return page;
        auto offer = [&](const std::string& phone, const stored_message& e) {
            auto k = std::tie(e.message.at, phone, e.seq);
            if (after && k <= std::tie(after->at, after->phone, after->seq)) return;
            if (page.size() == limit && !(k < key(page.front()))) return;
            page.push_back(e.message.unpack(phone, e.seq));
            std::push_heap(page.begin(), page.end(), before);
            if (page.size() > limit) {
                std::pop_heap(page.begin(), page.end(), before);
                page.pop_back();
            }
        };
        auto start = after ? std::max(from, after->at) : from;
        auto wanted_until = [&] {
            return page.size() < limit ? std::numeric_limits<std::int64_t>::max() : ticks(page.front().at);
        };
        for (auto& s : shards_) {
            std::lock_guard lock(s.mutex);
            s.times.visit_between(ticks(start), ticks(to), wanted_until, [&](const memory_time_log::entry& t) {
                if (s.read_whole.contains(t.conversation)) return;
                auto& phone = s.phones[t.conversation];
                auto& list = s.messages.find(phone)->second.list;
                auto m = seq_lower_bound(list, t.seq);
                if (m != list.end() && m->seq == t.seq) offer(phone, *m);
            });
            for (auto number : s.read_whole) {
                auto& phone = s.phones[number];
                for (auto& e : s.messages.find(phone)->second.list)
                    if (e.message.at >= from && e.message.at < to) offer(phone, e);
            }
        }
        std::sort_heap(page.begin(), page.end(), before);
        return page;
    }

    std::vector<chat::chat_record> load_open_chats() const override {
        std::lock_guard lock(mutex_);
        std::vector<chat::chat_record> out;
        for (auto& [_, c] : chats_)
            if (!c.closed_at) out.push_back(c);
        return out;
    }

    void each_chat(timestamp from, timestamp to,
                   const std::function<void(const chat::chat_record&)>& f) const override {
        std::lock_guard lock(mutex_);
        auto in = [&](const std::optional<timestamp>& t) { return t && *t >= from && *t < to; };
        for (auto& [_, c] : chats_)
            if (in(c.opened_at) || in(c.closed_at)) f(c);
    }

    std::vector<chat::chat_record> load_chats_of(std::string_view phone, const std::optional<chat_position>& after,
                                                 std::size_t limit) const override {
        std::lock_guard lock(mutex_);
        std::vector<chat::chat_record> out;
        auto it = chats_of_.find(std::string(phone));
        if (it == chats_of_.end()) return out;
        auto key = [](const chat::chat_record& c) { return std::tie(c.opened_at, c.ticket_id); };
        for (auto* c : it->second)
            if (!after || key(*c) < std::tie(after->opened_at, after->ticket_id)) out.push_back(*c);
        std::sort(out.begin(), out.end(), [&](auto& a, auto& b) { return key(a) > key(b); });
        if (out.size() > limit) out.resize(limit);
        return out;
    }

    std::optional<int> find_rating(std::string_view ticket_id) const override {
        std::lock_guard lock(mutex_);
        auto it = scores_.find(std::string(ticket_id));
        return it == scores_.end() ? std::nullopt : std::optional<int>(it->second);
    }

    std::vector<audit_entry> load_audit(std::uint64_t before_id, std::size_t limit) const override {
        std::lock_guard lock(mutex_);
        std::vector<audit_entry> out;
        for (auto it = audit_.rbegin(); it != audit_.rend() && out.size() < limit; ++it)
            if (it->id < before_id) out.push_back(*it);
        return out;
    }

    std::vector<notify::notification> load_notifications(std::string_view agent, std::uint64_t before_id,
                                                          std::size_t limit, bool unread_only) const override {
        std::lock_guard lock(mutex_);
        std::vector<notify::notification> out;
        auto theirs = notifications_.find(agent);
        if (theirs == notifications_.end()) return out;
        auto& by_id = theirs->second;
        for (auto it = std::make_reverse_iterator(by_id.lower_bound(before_id)); it != by_id.rend() && out.size() < limit;
             ++it)
            if (!unread_only || !it->second.read_at) out.push_back(it->second);
        return out;
    }

    std::optional<notify::notification> find_notification(std::uint64_t id) const override {
        std::lock_guard lock(mutex_);
        for (auto& [_, by_id] : notifications_)
            if (auto it = by_id.find(id); it != by_id.end()) return it->second;
        return std::nullopt;
    }

    std::size_t count_unread_notifications(std::string_view agent) const override {
        std::lock_guard lock(mutex_);
        auto theirs = notifications_.find(agent);
        if (theirs == notifications_.end()) return 0;
        return static_cast<std::size_t>(
            std::count_if(theirs->second.begin(), theirs->second.end(), [](auto& kv) { return !kv.second.read_at; }));
    }

    std::uint64_t last_notification_id() const override {
        std::lock_guard lock(mutex_);
        std::uint64_t last = 0;
        for (auto& [_, by_id] : notifications_)
            if (!by_id.empty()) last = std::max(last, by_id.rbegin()->first);
        return last;
    }

    std::vector<canned_response> load_canned_responses() const override {
        std::lock_guard lock(mutex_);
        std::vector<canned_response> out;
        for (auto& [_, r] : canned_) out.push_back(r);
        return out;
    }

    std::optional<std::string> find_setting(std::string_view key) const override {
        std::lock_guard lock(mutex_);
        auto it = settings_.find(key);
        if (it == settings_.end()) return std::nullopt;
        return it->second;
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
        return events_.after(after, limit);
    }

    std::pair<std::uint64_t, std::uint64_t> event_bounds() const override {
        std::lock_guard lock(mutex_);
        return events_.bounds();
    }

    void close() override {}

private:
    template <class T>
    using by_string = string_map<T>;

    struct conversation_shard {
        mutable adaptive_mutex mutex;
        by_string<chat::conversation> conversations;
        by_string<conversation_messages> messages;
        by_string<std::uint64_t> by_channel_id;  // "phone\nchannel id" → seq, our own messages only
        // When each message was sent, for exports. A conversation is known
        // there by its number, the place of its phone in `phones`.
        memory_time_log times;
        std::vector<std::string> phones;
        // Conversations an export reads whole instead: a message of theirs
        // was given again with another time (its entry would be stale), or
        // a seq past what an entry holds.
        boost::unordered_flat_set<std::uint32_t> read_whole;

        conversation_messages& messages_of(const std::string& phone) {
            auto [it, added] = messages.try_emplace(phone);
            if (added) {
                it->second.number = static_cast<std::uint32_t>(phones.size());
                phones.push_back(phone);
            }
            return it->second;
        }

        // Puts a message in its conversation's list, in seq order, and in
        // the time log if it is new there.
        void put(conversation_messages& c, const chat::message& m) {
            auto& list = c.list;
            bool appended = list.empty() || list.back().seq < m.seq;
            auto at = appended ? list.end() : seq_lower_bound(list, m.seq);
            bool again = at != list.end() && at->seq == m.seq;
            if (again && at->message.at != m.at) read_whole.insert(c.number);
            if (!again && m.seq > std::numeric_limits<std::uint32_t>::max()) read_whole.insert(c.number);
            if (!again) times.add({ticks(m.at), c.number, static_cast<std::uint32_t>(m.seq)});
            if (again)
                at->message = packed_message(m);
            else
                list.insert(at, stored_message{m.seq, packed_message(m)});
        }
    };
    static constexpr std::size_t shard_count = 16;

    const conversation_shard& shard_for(std::string_view phone) const { return shards_[string_hash()(phone) % shard_count]; }
    conversation_shard& shard_for(std::string_view phone) { return shards_[string_hash()(phone) % shard_count]; }

    static std::int64_t ticks(timestamp t) { return t.time_since_epoch().count(); }

    static std::optional<chat::message> find_message_locked(const conversation_shard& s, std::string_view phone,
                                                            std::uint64_t seq) {
        auto it = s.messages.find(phone);
        if (it == s.messages.end()) return std::nullopt;
        auto m = seq_lower_bound(it->second.list, seq);
        if (m == it->second.list.end() || m->seq != seq) return std::nullopt;
        return m->message.unpack(phone, seq);
    }

    std::array<conversation_shard, shard_count> shards_;
    memory_dedupe dedupe_;

    mutable adaptive_mutex mutex_;  // everything not kept per conversation
    std::map<std::string, outbox_item> outbox_;
    std::vector<rating> ratings_;
    std::map<std::string, agent_record> agents_;
    std::map<std::string, canned_response> canned_;
    std::map<std::string, std::string, std::less<>> settings_;
    std::unordered_map<std::string, session_record> sessions_;
    memory_event_log events_;
    std::map<std::string, chat::chat_record> chats_;
    // Each phone's chats (map nodes stay put), and each chat's score, by ticket.
    std::unordered_map<std::string, std::vector<const chat::chat_record*>> chats_of_;
    std::unordered_map<std::string, int> scores_;
    std::deque<audit_entry> audit_;  // oldest first
    std::uint64_t last_audit_id_ = 0;
    // By agent, then by id.
    std::map<std::string, std::map<std::uint64_t, notify::notification>, std::less<>> notifications_;
};

thread_local int memory_store::nested_answers = 0;

}  // namespace

std::unique_ptr<store> make_memory_store() { return std::make_unique<memory_store>(); }

}  // namespace switchboard::store
