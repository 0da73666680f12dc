// The in-memory store (`--data :memory:`): the same contract as SQLite,
// with nothing surviving the process.
#include "switchboard/store/store.hpp"

#include <map>
#include <mutex>
#include <unordered_map>

namespace switchboard::store {

namespace {

class memory_store final : public store {
public:
    boost::asio::awaitable<void> write(write_batch b) override {
        std::lock_guard lock(mutex_);
        if (b.conversation) conversations_[b.conversation->phone] = *b.conversation;
        for (auto& m : b.messages) {
            auto& list = messages_[m.phone];
            if (!m.channel_id.empty()) by_channel_id_[m.phone + '\n' + m.channel_id] = m.seq;
            list[m.seq] = std::move(m);
        }
        for (auto& o : b.outbox_put) outbox_[o.message_id] = std::move(o);
        for (auto& id : b.outbox_remove) outbox_.erase(id);
        for (auto& [k, v] : b.dedupe) dedupe_[k] = std::move(v);
        for (auto& r : b.ratings) ratings_.push_back(std::move(r));
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

    void close() override {}

private:
    mutable std::mutex mutex_;  // the store's own tables; conversation state lives in actors
    std::unordered_map<std::string, chat::conversation> conversations_;
    std::unordered_map<std::string, std::map<std::uint64_t, chat::message>> messages_;
    std::unordered_map<std::string, std::uint64_t> by_channel_id_;
    std::map<std::string, outbox_item> outbox_;
    std::unordered_map<std::string, std::string> dedupe_;
    std::vector<rating> ratings_;
};

}  // namespace

std::unique_ptr<store> make_memory_store() { return std::make_unique<memory_store>(); }

}  // namespace switchboard::store
