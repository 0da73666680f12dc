#include "switchboard/chat/support_queue.hpp"

#include "../core/string_map.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <ext/pb_ds/assoc_container.hpp>
#include <ext/pb_ds/tree_policy.hpp>

#include <algorithm>
#include <deque>
#include <set>

namespace switchboard::chat {

namespace net = boost::asio;

namespace {

constexpr auto notice_every = std::chrono::minutes(1);

// Entries by their place number, which says where they stand: a join at the
// back takes the next number up, one at the head the next number down.
// libstdc++'s order-statistics tree gives an entry's position (how many
// stand before it) in log time. It was a vector searched by phone, with
// every chat behind a leaver walked for notices: 20,000 waiting chats that
// expired together held webhooks up to 344 ms.
using entry_tree = __gnu_pbds::tree<std::int64_t, support_queue::entry, std::less<std::int64_t>,
                                    __gnu_pbds::rb_tree_tag, __gnu_pbds::tree_order_statistics_node_update>;

}  // namespace

struct support_queue::state {
    entry_tree entries;
    string_map<std::int64_t> place_of;  // phone → place number
    // Places of the entries due a notice when they move up (none told in
    // the last minute), and of those told, oldest first, until their minute
    // has passed. Each entry is told at most once a minute, and a leave
    // walks only the entries it tells.
    std::set<std::int64_t> due;
    std::deque<std::pair<timestamp, std::int64_t>> told;
    std::int64_t next_back = 1, next_front = 0;

    std::size_t position_of(std::int64_t place) const { return entries.order_of_key(place) + 1; }

    std::optional<std::size_t> position_of(std::string_view phone) const {
        auto it = place_of.find(phone);
        if (it == place_of.end()) return std::nullopt;
        return position_of(it->second);
    }

    void add(std::int64_t place, entry e) {
        place_of[e.phone] = place;
        if (e.last_notice)
            told.emplace_back(*e.last_notice, place);
        else
            due.insert(place);
        entries.insert({place, std::move(e)});
    }

    void remove(std::int64_t place) {
        auto it = entries.find(place);
        place_of.erase(it->second.phone);
        due.erase(place);  // a place in `told` is passed over once its entry has gone
        entries.erase(it);
    }

    // Told entries whose minute has passed are due again.
    void readmit(timestamp now) {
        while (!told.empty() && now - told.front().first >= notice_every) {
            if (entries.find(told.front().second) != entries.end()) due.insert(told.front().second);
            told.pop_front();
        }
    }
};

support_queue::support_queue(net::any_io_executor strand)
    : strand_(std::move(strand)), state_(std::make_unique<state>()) {}

support_queue::~support_queue() = default;

void support_queue::restore(std::vector<entry> entries) {
    std::stable_sort(entries.begin(), entries.end(),
                     [](const entry& a, const entry& b) { return a.queued_at < b.queued_at; });
    state_ = std::make_unique<state>();
    for (auto& e : entries) state_->add(state_->next_back++, std::move(e));
    std::sort(state_->told.begin(), state_->told.end());
}

// Each method hands a closure to the queue's strand; none is a coroutine
// itself (see conversation_actor::exclusive for why).
net::awaitable<std::size_t> support_queue::join(std::string phone, timestamp queued_at) {
    return net::co_spawn(
        strand_,
        [this, phone = std::move(phone), queued_at]() -> net::awaitable<std::size_t> {
            auto& s = *state_;
            if (auto at = s.position_of(std::string_view(phone))) co_return *at;
            s.add(s.next_back++, entry{phone, queued_at, std::nullopt});
            co_return s.entries.size();
        },
        net::use_awaitable);
}

net::awaitable<std::vector<support_queue::moved>> support_queue::leave(std::string phone) {
    return net::co_spawn(
        strand_,
        [this, phone = std::move(phone)]() -> net::awaitable<std::vector<moved>> {
            auto& s = *state_;
            std::vector<moved> out;
            auto it = s.place_of.find(phone);
            if (it == s.place_of.end()) co_return out;
            auto place = it->second;
            s.remove(place);
            // Rate-limited here, where it is one step an entry told, rather
            // than in each actor: a long queue would otherwise get a command
            // per entry per claim.
            auto now = std::chrono::system_clock::now();
            s.readmit(now);
            for (auto d = s.due.upper_bound(place); d != s.due.end(); d = s.due.erase(d)) {
                auto& e = s.entries.find(*d)->second;
                e.last_notice = now;
                s.told.emplace_back(now, *d);
                out.push_back({e.phone, s.position_of(*d)});
            }
            co_return out;
        },
        net::use_awaitable);
}

net::awaitable<void> support_queue::join_front(std::string phone, timestamp queued_at) {
    return net::co_spawn(
        strand_,
        [this, phone = std::move(phone), queued_at]() -> net::awaitable<void> {
            auto& s = *state_;
            if (auto it = s.place_of.find(phone); it != s.place_of.end()) s.remove(it->second);
            s.add(s.next_front--, entry{phone, queued_at, std::nullopt});
            co_return;
        },
        net::use_awaitable);
}

net::awaitable<support_queue::front_page> support_queue::front(std::optional<std::int64_t> after, std::size_t limit) {
    return net::co_spawn(
        strand_,
        [this, after, limit]() -> net::awaitable<front_page> {
            auto& s = *state_;
            front_page out;
            out.length = s.entries.size();
            auto it = after ? s.entries.upper_bound(*after) : s.entries.begin();
            if (it == s.entries.end()) co_return out;
            auto position = s.position_of(it->first);
            for (; it != s.entries.end() && out.entries.size() < limit; ++it)
                out.entries.push_back({it->second.phone, it->second.queued_at, it->first, position++});
            out.more = it != s.entries.end();
            co_return out;
        },
        net::use_awaitable);
}

net::awaitable<std::optional<std::size_t>> support_queue::position(std::string phone) {
    return net::co_spawn(
        strand_,
        [this, phone = std::move(phone)]() -> net::awaitable<std::optional<std::size_t>> {
            co_return state_->position_of(std::string_view(phone));
        },
        net::use_awaitable);
}

net::awaitable<std::vector<std::optional<std::size_t>>> support_queue::positions(std::vector<std::string> phones) {
    return net::co_spawn(
        strand_,
        [this, phones = std::move(phones)]() -> net::awaitable<std::vector<std::optional<std::size_t>>> {
            std::vector<std::optional<std::size_t>> out;
            for (auto& phone : phones) out.push_back(state_->position_of(std::string_view(phone)));
            co_return out;
        },
        net::use_awaitable);
}

}  // namespace switchboard::chat
