#include "switchboard/chat/support_queue.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

namespace switchboard::chat {

namespace net = boost::asio;

support_queue::support_queue(net::any_io_executor strand) : strand_(std::move(strand)) {}

void support_queue::restore(std::vector<entry> entries) {
    std::stable_sort(entries.begin(), entries.end(),
                     [](const entry& a, const entry& b) { return a.queued_at < b.queued_at; });
    entries_ = std::move(entries);
}

// Each method hands a closure to the queue's strand; none is a coroutine
// itself (see conversation_actor::exclusive for why).
net::awaitable<std::size_t> support_queue::join(std::string phone, timestamp queued_at) {
    return net::co_spawn(
        strand_,
        [this, phone = std::move(phone), queued_at]() -> net::awaitable<std::size_t> {
            auto it = std::find_if(entries_.begin(), entries_.end(), [&](auto& e) { return e.phone == phone; });
            if (it == entries_.end()) {
                entries_.push_back({phone, queued_at, std::nullopt});
                co_return entries_.size();
            }
            co_return static_cast<std::size_t>(it - entries_.begin()) + 1;
        },
        net::use_awaitable);
}

net::awaitable<std::vector<support_queue::moved>> support_queue::leave(std::string phone) {
    return net::co_spawn(
        strand_,
        [this, phone = std::move(phone)]() -> net::awaitable<std::vector<moved>> {
            std::vector<moved> out;
            auto it = std::find_if(entries_.begin(), entries_.end(), [&](auto& e) { return e.phone == phone; });
            if (it == entries_.end()) co_return out;
            auto index = static_cast<std::size_t>(it - entries_.begin());
            entries_.erase(it);
            // Rate-limited here, where it is one comparison, rather than in each
            // actor: a long queue would otherwise get a command per entry per claim.
            auto now = std::chrono::system_clock::now();
            for (auto i = index; i < entries_.size(); ++i) {
                auto& e = entries_[i];
                if (e.last_notice && now - *e.last_notice < std::chrono::minutes(1)) continue;
                e.last_notice = now;
                out.push_back({e.phone, i + 1});
            }
            co_return out;
        },
        net::use_awaitable);
}

net::awaitable<void> support_queue::join_front(std::string phone, timestamp queued_at) {
    return net::co_spawn(
        strand_,
        [this, phone = std::move(phone), queued_at]() -> net::awaitable<void> {
            std::erase_if(entries_, [&](auto& e) { return e.phone == phone; });
            entries_.insert(entries_.begin(), entry{phone, queued_at, std::nullopt});
            co_return;
        },
        net::use_awaitable);
}

net::awaitable<std::vector<support_queue::entry>> support_queue::waiting() {
    return net::co_spawn(
        strand_, [this]() -> net::awaitable<std::vector<entry>> { co_return entries_; }, net::use_awaitable);
}

net::awaitable<std::optional<std::size_t>> support_queue::position(std::string phone) {
    return net::co_spawn(
        strand_,
        [this, phone = std::move(phone)]() -> net::awaitable<std::optional<std::size_t>> {
            for (std::size_t i = 0; i < entries_.size(); ++i)
                if (entries_[i].phone == phone) co_return i + 1;
            co_return std::nullopt;
        },
        net::use_awaitable);
}

}  // namespace switchboard::chat
