// The WebSocket hub (SPEC §5): numbers every event with a global, gap-free
// seq, keeps the latest in a ring (and all within retention in the store),
// and lets each agent socket's writer read the ring from its own cursor, so
// an event is serialized once and a slow socket never holds anyone up.
#pragma once

#include "switchboard/events/event.hpp"
#include "switchboard/http/message.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace boost::asio {
class io_context;
}
namespace switchboard::store {
class store;
}
namespace switchboard::metrics {
class registry;
}

namespace switchboard::ws {

struct hub_options {
    std::size_t ring_capacity = 65536;          // events kept in memory for resume and fan-out
    std::size_t max_lag = 8192;                 // events a socket may fall behind before it is closed (1013)
    std::size_t max_side_frames = 256;          // queued control/typing frames per socket
    std::size_t max_events_per_frame = 512;     // batching bound
    std::size_t max_backfill = 100000;          // events a resume may read back from the store
    std::chrono::seconds retention{86400};      // stored event log
    std::chrono::milliseconds flush_interval{5};
    // A socket writes ring events at most once per window: under load every
    // event would otherwise be a frame and a syscall for each socket. An idle
    // socket's first event still goes at once.
    std::chrono::microseconds coalesce_window{1000};
    // Whether the session a socket was opened with (its token's hash) is
    // still live. A socket whose session expired or ended some other way is
    // closed (1008) within about `session_check_every`. Unset: never asked.
    std::function<bool(const std::string& session)> session_live;
    std::chrono::milliseconds session_check_every{1000};
    // Told the highest seq each time events reach the store (the event
    // webhook reads them from there). Unset: nobody is told.
    std::function<void(std::uint64_t)> on_stored;
    // An agent's socket says they are writing to a conversation's user
    // (`typing` with `"to_user":true`; a private note is no such thing), as
    // (agent, conversation). Unset: only the other agents are told.
    std::function<void(const std::string& agent, const std::string& conversation)> on_typing_to_user;
    // A socket that sends nothing for this long, not even the pong to the
    // ping it gets halfway through, is closed: an agent whose laptop slept or
    // lost its network shows offline, and automatic routing passes them by,
    // within it rather than after Beast's suggested five minutes.
    std::chrono::seconds idle_timeout{60};
};

class hub final : public events::event_sink {
public:
    hub(boost::asio::io_context& ioc, store::store& store, metrics::registry& metrics, hub_options options);
    ~hub() override;

    // Continues numbering after the stored log; starts the flusher.
    void start();
    // Closes every socket with 1001 and writes what is pending to the store;
    // `on_closed` runs once the last socket has gone.
    void shutdown(std::function<void()> on_closed);

    void publish(events::event e) override;
    // Under one lock: a step's events are numbered together.
    void publish_all(std::vector<events::event>& events) override;
    // In the ring, the events waiting to be stored and the store.
    void rewrite(events::data_rewrite r) override;
    // In the ring, the events waiting to be stored and the store.
    void forget_conversation(std::string phone) override;
    std::uint64_t latest() const;

    // The upgrade that turns an authenticated request into an agent socket;
    // `session` is the hash of the session token it was opened with.
    std::shared_ptr<http::websocket_upgrade> upgrade_for(std::string username, std::string display_name,
                                                         std::string session);
    // Closes (1008) the sockets opened with these sessions: a new password
    // ended them, and whoever held them must not go on reading.
    void end_sessions(const std::vector<std::string>& sessions);
    // hub_options::on_typing_to_user, for what is made after the hub (the
    // engine, which publishes to it). Set before any socket opens.
    void on_typing_to_user(std::function<void(const std::string& agent, const std::string& conversation)> f);
    // Sends `frame` to each socket `username` has open now, apart from the
    // numbered events (a notification: theirs alone, not in the event log).
    // Thread-safe.
    void send_to(const std::string& username, std::string frame);
    // Usernames with at least one socket open.
    std::vector<std::string> online() const;

    struct impl;

private:
    std::shared_ptr<impl> impl_;
};

}  // namespace switchboard::ws
