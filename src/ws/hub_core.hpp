// The hub's shared state: the event ring, the sockets and the store flusher.
// Internal to src/ws.
#pragma once

#include "switchboard/core/metrics.hpp"
#include "switchboard/store/store.hpp"
#include "switchboard/ws/hub.hpp"

#include "../http/beast.hpp"
#include "viewer_board.hpp"

#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <unordered_map>

namespace switchboard::ws {

class agent_socket;

struct hub_core : std::enable_shared_from_this<hub_core> {
    hub_core(net::io_context& ioc, store::store& store, metrics::registry& metrics, hub_options options);

    // Appends one event; returns its seq.
    std::uint64_t append(events::event e);
    // Appends them in order, under one lock, moving their text into the
    // ring; returns the last one's seq.
    std::uint64_t append_all(std::span<events::event> events);
    // hub::rewrite: the pending events' and the ring's texts (within five
    // seconds of the record's time) at once, the store's after the events
    // the flusher took (on the strand).
    void rewrite(events::data_rewrite r);
    // hub::forget_conversation: the pending events' and the whole ring's at
    // once, the store's after the events the flusher took (on the strand).
    void forget_conversation(std::string phone);
    enum class collect_result { ok, lagged };
    // Events [cursor, …] up to `max`, in order.
    collect_result collect(std::uint64_t cursor, std::size_t max, std::vector<std::shared_ptr<const std::string>>& out);
    std::uint64_t latest() const;

    struct resume_plan {
        bool resync = false;
        std::uint64_t cursor = 0;
        std::vector<std::string> backfill;  // stored events older than the ring, in order
    };
    resume_plan plan_resume(std::uint64_t after);

    // Registers `s` and answers who views what now, for its hello; nothing
    // once the hub is shut (`stopped`), when `s` is to close as the others
    // did: an upgrade handed over just before the shutdown finishes its
    // handshake just after it.
    std::optional<boost::json::object> opened(const std::shared_ptr<agent_socket>& s);
    void closed(const agent_socket* s, std::string_view reason);
    void typing(const agent_socket* from, std::string conversation, bool on);
    // The socket's console shows `conversation` now ("" for none).
    void viewing(const agent_socket* from, std::string conversation);

    net::awaitable<void> flush_loop();
    void sweep_lagging();
    void sweep_ended_sessions();
    // Closes (1008) the sockets whose session `ended` says is over; asked
    // outside the hub's lock.
    void close_ended(const std::function<bool(const std::string& session)>& ended);
    void count_slow_close();
    void schedule_sweep();

    net::io_context& ioc;
    store::store& store;
    hub_options options;
    net::strand<net::io_context::executor_type> strand;

    mutable std::mutex mutex;  // the ring, the seq and the socket list; held only briefly
    std::vector<std::shared_ptr<const std::string>> ring;
    // Each ring slot's events::conversation_key, as the pending events carry
    // theirs: an erasure reads these, side by side, rather than 65,536 texts
    // (a cache miss each), and opens only those of the conversation's.
    std::vector<std::uint32_t> ring_conversations;
    std::uint64_t first = 1, last = 0;  // the seqs in the ring: [first, last]
    // `last`, for guessing a seq's digits before taking the lock.
    std::atomic<std::uint64_t> last_hint{0};
    std::vector<store::event_record> pending;  // not yet in the store
    std::unordered_map<const agent_socket*, std::weak_ptr<agent_socket>> sockets;
    std::map<std::string, int, std::less<>> online;
    viewer_board viewers;
    bool flushing = false;  // under `mutex`: a flush_loop is running
    bool stopped = false;
    std::function<void()> on_closed;  // shutdown's: when the last socket is gone

    // Under `mutex`: a `viewers` frame for each of `changed` to every socket.
    // Queued under the lock, so that each socket gets a conversation's
    // changes in the order they were made.
    void tell_viewers(const std::vector<std::string>& changed);

    net::steady_timer flush_timer;
    net::steady_timer sweep_timer;
    std::chrono::steady_clock::time_point sessions_checked{};
    metrics::gauge& open_sockets;
    metrics::counter& frames_sent;
    metrics::counter& events_published;
    metrics::counter& closed_slow;
    metrics::counter& frames_rejected;  // agents' frames that were not ours (agent_socket::handle_client_frame)
};

}  // namespace switchboard::ws
