// The hub: numbering, the ring, persistence of the event log, presence,
// typing and who views what, and closing sockets that fall too far behind.
#include "hub_core.hpp"

#include "agent_socket.hpp"
#include "switchboard/core/log.hpp"

#include <boost/container/small_vector.hpp>
#include <boost/json/serialize.hpp>

namespace switchboard::ws {

hub_core::hub_core(net::io_context& ioc_, store::store& store_, metrics::registry& metrics, hub_options options_)
    : ioc(ioc_),
      store(store_),
      options(options_),
      strand(net::make_strand(ioc_)),
      ring(options_.ring_capacity),
      ring_conversations(options_.ring_capacity),
      flush_timer(strand),
      sweep_timer(strand),
      open_sockets(metrics.get_gauge("switchboard_ws_connections", "Agent WebSockets open")),
      frames_sent(metrics.get_counter("switchboard_ws_frames_sent_total", "WebSocket frames sent to agents")),
      events_published(metrics.get_counter("switchboard_events_total", "Events published to agents")),
      closed_slow(metrics.get_counter("switchboard_ws_closed_total", "Agent sockets closed by the server, by reason",
                                      {{"reason", "slow"}})),
      frames_rejected(metrics::rejections(metrics, "ws_frame")) {}

std::uint64_t hub_core::append(events::event e) { return append_all(std::span(&e, 1)); }

std::uint64_t hub_core::append_all(std::span<events::event> events) {
    if (events.empty()) return latest();
    // Both io threads publish here, and time under the lock is time the
    // other one waits in the kernel: the texts are written, fitted to the
    // seqs they will likely get and put on the heap before it, and the texts
    // they replace in the ring are freed after it.
    boost::container::small_vector<std::shared_ptr<std::string>, 4> texts;
    auto likely_seq = last_hint.load(std::memory_order_relaxed);
    for (auto& e : events) {
        if (e.text.empty()) e.text = events::unnumbered_envelope(e);
        events::fit_envelope_room(e.text, ++likely_seq);
        texts.push_back(std::make_shared<std::string>(std::move(e.text)));
        if (!e.conversation_key) e.conversation_key = events::conversation_key(e.conversation);
    }
    boost::container::small_vector<std::shared_ptr<const std::string>, 4> replaced;
    std::vector<std::shared_ptr<agent_socket>> to_wake;
    bool start_flush = false;
    std::uint64_t seq = 0;
    {
        std::lock_guard lock(mutex);
        for (std::size_t i = 0; i < texts.size(); ++i) {
            seq = ++last;
            events::number_envelope(*texts[i], seq);
            std::shared_ptr<const std::string> text = std::move(texts[i]);
            pending.push_back({seq, events[i].at, text, events[i].conversation_key});
            auto slot = seq % ring.size();
            replaced.push_back(std::exchange(ring[slot], std::move(text)));
            ring_conversations[slot] = events[i].conversation_key;
        }
        last_hint.store(last, std::memory_order_relaxed);
        if (last - first + 1 > ring.size()) first = last - ring.size() + 1;
        start_flush = !flushing;
        flushing = true;
        for (auto& [_, weak] : sockets)
            if (auto s = weak.lock(); s && s->waiting.exchange(false)) to_wake.push_back(std::move(s));
    }
    events_published.inc(events.size());
    for (auto& s : to_wake) s->wake();
    if (start_flush)
        net::co_spawn(strand, flush_loop(),
                      [self = shared_from_this()](std::exception_ptr e) { log::failure("event log flush failed", e); });
    return seq;
}

// The ring and the pending events before it returns, so that a resume
// after the caller's answer reads them rewritten. A record's words are in
// one event, the one that announced it (the one that tells of it as it is
// now reads the same rewritten), numbered about when it happened: the ring
// is searched by time for the record's, then read outward from there, the
// nearest first, until that event, a few thousand at a time under the lock
// (each a cache miss; the whole ring would be about 7 ms), and no further
// than five seconds either way: under load the ring holds about ten
// seconds, and an event is numbered within milliseconds of its time, so
// one older than that is rewritten in the store alone. The store's on the
// strand, where the flusher takes the pending events and hands them to
// the store in one turn: those it took before the texts changed are in
// the store's queue ahead of this one, which then rewrites them there.
void hub_core::rewrite(events::data_rewrite r) {
    std::vector<std::shared_ptr<const std::string>> replaced;  // freed after the lock
    events::envelope_rewriter rewritten(r);
    // Whether it changed `text`.
    auto rewrite_text = [&](std::shared_ptr<const std::string>& text) {
        if (!text) return false;
        auto now = rewritten(*text);
        if (!now || *now == *text) return false;
        replaced.push_back(std::exchange(text, std::make_shared<const std::string>(std::move(*now))));
        return true;
    };
    auto since = to_iso8601(r.since);
    constexpr auto reach = std::chrono::seconds(5);
    auto window_from = to_iso8601(r.since - reach), window_to = to_iso8601(r.since + reach);
    bool found = false;
    std::uint64_t newer = 0, older = 0;  // the next seqs to read either way; 0: that way is done
    {
        std::lock_guard lock(mutex);
        for (auto& e : pending)
            if (!found && rewrite_text(e.json)) {
                found = true;
                if (e.seq >= first) ring[e.seq % ring.size()] = e.json;  // the ring held the same text
            }
        if (!found && last > 0 && first <= last) {
            auto time_of = [&](std::uint64_t seq) { return events::envelope_time(*ring[seq % ring.size()]); };
            auto lo = first, hi = last + 1;  // the first seq at or after `since`
            while (lo < hi) {
                auto mid = lo + (hi - lo) / 2;
                if (time_of(mid) < since) lo = mid + 1;
                else hi = mid;
            }
            // The ring's oldest is past the reach: the record's event went round already.
            bool gone = time_of(first) > window_to;
            newer = lo <= last && !gone ? lo : 0;
            older = lo > first && !gone ? lo - 1 : 0;
        }
    }
    constexpr int at_a_time = 4096;
    while (!found && (newer || older)) {
        std::lock_guard lock(mutex);
        for (int n = 0; !found && n < at_a_time && (newer || older); ++n) {
            // Overwritten meanwhile (the ring went round): nothing older is there.
            if (older && older < first) older = 0;
            if (newer && newer >= first && newer <= last) {
                auto& text = ring[newer % ring.size()];
                found = rewrite_text(text);
                newer = !found && events::envelope_time(*text) <= window_to && newer < last ? newer + 1 : 0;
            } else {
                newer = 0;
            }
            if (!found && older) {
                auto& text = ring[older % ring.size()];
                found = rewrite_text(text);
                older = !found && events::envelope_time(*text) >= window_from && older > first ? older - 1 : 0;
            }
        }
    }
    net::post(strand, [self = shared_from_this(), r = std::move(r)]() mutable {
        self->store.async_rewrite_events(std::move(r), [](std::exception_ptr e) {
            if (e) log::failure("stored events not rewritten", e);
        });
    });
}

// The pending events' and the whole ring's before it returns, so that a
// resume after the erasure's answer reads placeholders: the conversation's
// events may be anywhere in it. The ring by its slots' conversations, a
// few thousand at a time under the lock, none past the seq numbered last
// when it began: nothing of the conversation comes after its
// conversation.deleted until the actor that published it is done, and
// what comes then is the user's new conversation. The store's on the
// strand, after the events the flusher took (as rewrite's).
void hub_core::forget_conversation(std::string phone) {
    std::vector<std::shared_ptr<const std::string>> replaced;  // freed after the lock
    events::erased_conversation erased{std::move(phone), latest()};
    auto key = events::conversation_key(erased.phone);
    events::envelope_eraser eraser;
    eraser.add(erased);
    auto erase_text = [&](std::uint64_t seq, std::shared_ptr<const std::string>& text) {
        if (!text) return;
        if (auto now = eraser(seq, *text))
            replaced.push_back(std::exchange(text, std::make_shared<const std::string>(std::move(*now))));
    };
    std::uint64_t next = 0;
    {
        std::lock_guard lock(mutex);
        for (auto& e : pending) {
            if (e.conversation_key != key) continue;
            auto* slot = e.seq >= first ? &ring[e.seq % ring.size()] : nullptr;
            bool same = slot && *slot == e.json;
            erase_text(e.seq, e.json);
            if (same) *slot = e.json;
        }
        next = first;
    }
    constexpr int at_a_time = 16384;
    while (next && next <= erased.upto_seq) {
        std::lock_guard lock(mutex);
        next = std::max(next, first);  // the ring went round meanwhile
        for (int n = 0; n < at_a_time && next <= erased.upto_seq; ++n, ++next)
            if (ring_conversations[next % ring.size()] == key) erase_text(next, ring[next % ring.size()]);
    }
    net::post(strand, [self = shared_from_this(), erased = std::move(erased)]() mutable {
        self->store.async_erase_events(std::move(erased), [](std::exception_ptr e) {
            if (e) log::failure("stored events of an erased conversation not erased", e);
        });
    });
}

hub_core::collect_result hub_core::collect(std::uint64_t cursor, std::size_t max,
                                           std::vector<std::shared_ptr<const std::string>>& out) {
    std::lock_guard lock(mutex);
    if (cursor > last) return collect_result::ok;
    if (cursor < first) return collect_result::lagged;  // overwritten: it can never catch up
    for (auto seq = cursor; seq <= last && out.size() < max; ++seq) out.push_back(ring[seq % ring.size()]);
    return collect_result::ok;
}

std::uint64_t hub_core::latest() const {
    std::lock_guard lock(mutex);
    return last;
}

hub_core::resume_plan hub_core::plan_resume(std::uint64_t after) {
    std::uint64_t ring_first, ring_last;
    {
        std::lock_guard lock(mutex);
        ring_first = first;
        ring_last = last;
    }
    resume_plan plan;
    auto resync = [&] {
        resume_plan r;
        r.resync = true;
        r.cursor = ring_last + 1;
        return r;
    };
    // From before a restart that lost them, or made up. Or a backlog past
    // the lag bound, which would have the socket closed as too far behind
    // while it caught up, and the client back to resume from about the same
    // place (20 consoles back from 5 s away at 2,000 webhooks a second: 19
    // closed): a reload over REST serves it at once.
    if (after > ring_last || ring_last - after > options.max_lag) return resync();
    if (after + 1 >= ring_first) {
        plan.cursor = after + 1;
        return plan;
    }
    // Older than the ring: the stored log, if it still has them all.
    auto [stored_first, stored_last] = store.event_bounds();
    if (stored_first == 0 || stored_first > after + 1 || ring_first - (after + 1) > options.max_backfill)
        return resync();
    for (auto& e : store.load_events(after, ring_first - after - 1)) plan.backfill.push_back(*e.json);
    if (plan.backfill.size() != ring_first - after - 1) return resync();  // a gap: pruned meanwhile
    plan.cursor = ring_first;
    return plan;
}

std::optional<boost::json::object> hub_core::opened(const std::shared_ptr<agent_socket>& s) {
    bool first_socket;
    boost::json::object viewing_now;
    {
        std::lock_guard lock(mutex);
        // Under the lock shutdown() sets it: either it found this socket, or this finds it shut.
        if (stopped) return std::nullopt;
        sockets[s.get()] = s;
        first_socket = ++online[s->username()] == 1;
        open_sockets.set(static_cast<double>(sockets.size()));
        viewing_now = viewers.snapshot();
    }
    if (first_socket)
        append({"agent.presence", "", {{"agent", s->username()}, {"online", true}}, std::chrono::system_clock::now()});
    return viewing_now;
}

void hub_core::closed(const agent_socket* s, std::string_view reason) {
    bool last_socket = false;
    std::function<void()> all_gone;
    {
        std::lock_guard lock(mutex);
        if (!sockets.erase(s)) return;
        tell_viewers(viewers.leave(s, s->username()));
        if (stopped && sockets.empty()) all_gone = std::exchange(on_closed, nullptr);
        auto it = online.find(s->username());
        if (it != online.end() && --it->second == 0) {
            online.erase(it);
            last_socket = true;
        }
        open_sockets.set(static_cast<double>(sockets.size()));
    }
    log::debug("agent socket closed", {{"agent", s->username()}, {"reason", std::string(reason)}});
    if (last_socket && !stopped)
        append({"agent.presence", "", {{"agent", s->username()}, {"online", false}}, std::chrono::system_clock::now()});
    if (all_gone) all_gone();
}

void hub_core::typing(const agent_socket* from, std::string conversation, bool on) {
    boost::json::object o{{"type", "typing"},
                          {"conversation", conversation},
                          {"data", {{"agent", from->username()}, {"on", on}}},
                          {"at", to_iso8601(std::chrono::system_clock::now())}};
    auto frame = std::make_shared<const std::string>(boost::json::serialize(o));
    std::vector<std::shared_ptr<agent_socket>> others;
    {
        std::lock_guard lock(mutex);
        for (auto& [key, weak] : sockets)
            if (key != from)
                if (auto s = weak.lock()) others.push_back(std::move(s));
    }
    for (auto& s : others) s->push_frame(frame, true);
}

void hub_core::viewing(const agent_socket* from, std::string conversation) {
    std::lock_guard lock(mutex);
    if (!sockets.contains(from)) return;  // closed meanwhile: closed() has cleared it
    tell_viewers(viewers.view(from, from->username(), std::move(conversation)));
}

void hub_core::tell_viewers(const std::vector<std::string>& changed) {
    if (changed.empty() || stopped) return;
    auto at = to_iso8601(std::chrono::system_clock::now());
    for (auto& conversation : changed) {
        boost::json::array agents;
        for (auto& a : viewers.agents_in(conversation)) agents.emplace_back(a);
        auto frame = std::make_shared<const std::string>(boost::json::serialize(
            boost::json::object{{"type", "viewers"},
                                {"conversation", conversation},
                                {"data", {{"agents", std::move(agents)}}},
                                {"at", at}}));
        for (auto& [_, weak] : sockets)
            if (auto s = weak.lock()) s->push_frame(frame, false);
    }
}

// Writes pending events in batches; one write at a time, so in seq order.
net::awaitable<void> hub_core::flush_loop() {
    auto self = shared_from_this();
    auto last_prune = std::chrono::steady_clock::now();
    for (;;) {
        flush_timer.expires_after(options.flush_interval);
        co_await flush_timer.async_wait(use_tuple);
        store::write_batch b;
        {
            std::lock_guard lock(mutex);
            b.events_put.swap(pending);
            // Ends under the lock that append() starts it under: no event is left behind.
            if (b.events_put.empty()) {
                flushing = false;
                co_return;
            }
        }
        if (std::chrono::steady_clock::now() - last_prune > std::chrono::minutes(1)) {
            b.events_prune_before = std::chrono::system_clock::now() - options.retention;
            last_prune = std::chrono::steady_clock::now();
        }
        auto upto = b.events_put.back().seq;
        try {
            co_await store.write(std::move(b));
            if (options.on_stored) options.on_stored(upto);
        } catch (const std::exception& e) {
            // The ring still has them; a resume beyond the ring will resync.
            log::warn("event log not stored", {{"error", e.what()}});
        }
    }
}

void hub_core::schedule_sweep() {
    sweep_timer.expires_after(std::chrono::milliseconds(250));
    sweep_timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
        if (ec || self->stopped) return;
        self->sweep_lagging();
        self->sweep_ended_sessions();
        self->schedule_sweep();
    });
}

// A writer stuck on a client that does not read never sees its own lag: look
// from here. Only a socket caught mid-write counts, so a reader that is
// merely catching up (its writer batching) is left alone.
void hub_core::sweep_lagging() {
    std::vector<std::shared_ptr<agent_socket>> lagging;
    {
        std::lock_guard lock(mutex);
        for (auto& [_, weak] : sockets)
            if (auto s = weak.lock()) {
                auto c = s->cursor.load();
                bool behind = c <= last && last - c + 1 > options.max_lag;
                if (c < first || (behind && s->writing)) lagging.push_back(std::move(s));
            }
    }
    for (auto& s : lagging) s->close(beast::websocket::close_code::try_again_later, "too far behind");
}

// Sessions end without the hub hearing of it (a TTL runs out): look from
// here, now and then.
void hub_core::sweep_ended_sessions() {
    auto now = std::chrono::steady_clock::now();
    if (!options.session_live || now - sessions_checked < options.session_check_every) return;
    sessions_checked = now;
    close_ended([this](const std::string& session) { return !options.session_live(session); });
}

void hub_core::close_ended(const std::function<bool(const std::string& session)>& ended) {
    std::vector<std::shared_ptr<agent_socket>> all;
    {
        std::lock_guard lock(mutex);
        for (auto& [_, weak] : sockets)
            if (auto s = weak.lock()) all.push_back(std::move(s));
    }
    // Outside the hub's lock: `ended` may take the agents' lock.
    for (auto& s : all)
        if (ended(s->session())) s->close(beast::websocket::close_code::policy_error, "session ended");
}

void hub_core::count_slow_close() { closed_slow.inc(); }

struct hub::impl {
    std::shared_ptr<hub_core> core;
};

namespace {

class socket_upgrade final : public http::websocket_upgrade {
public:
    socket_upgrade(std::shared_ptr<hub_core> hub, std::string username, std::string display_name, std::string session)
        : hub_(std::move(hub)),
          username_(std::move(username)),
          display_name_(std::move(display_name)),
          session_(std::move(session)) {}
    void start(std::unique_ptr<http::upgraded_connection> c) override {
        std::make_shared<agent_socket>(hub_, std::move(c), username_, display_name_, session_)->start();
    }

private:
    std::shared_ptr<hub_core> hub_;
    std::string username_, display_name_, session_;
};

}  // namespace

hub::hub(net::io_context& ioc, store::store& store, metrics::registry& metrics, hub_options options)
    : impl_(std::make_shared<impl>()) {
    impl_->core = std::make_shared<hub_core>(ioc, store, metrics, options);
}

hub::~hub() = default;

void hub::on_typing_to_user(std::function<void(const std::string&, const std::string&)> f) {
    impl_->core->options.on_typing_to_user = std::move(f);
}

void hub::start() {
    auto& core = *impl_->core;
    auto [_, stored_last] = core.store.event_bounds();
    core.first = stored_last + 1;
    core.last = stored_last;
    core.last_hint.store(stored_last, std::memory_order_relaxed);
    core.schedule_sweep();
}

void hub::shutdown(std::function<void()> on_closed) {
    auto core = impl_->core;
    std::vector<std::shared_ptr<agent_socket>> all;
    {
        std::lock_guard lock(core->mutex);
        core->stopped = true;
        for (auto& [_, weak] : core->sockets)
            if (auto s = weak.lock()) all.push_back(std::move(s));
        if (!core->sockets.empty()) core->on_closed = std::move(on_closed);
    }
    if (on_closed) on_closed();  // none open
    net::post(core->strand, [core] { core->sweep_timer.cancel(); });
    for (auto& s : all) s->close(beast::websocket::close_code::going_away, "server shutting down");
}

void hub::publish(events::event e) { impl_->core->append(std::move(e)); }

void hub::publish_all(std::vector<events::event>& events) { impl_->core->append_all(events); }

void hub::rewrite(events::data_rewrite r) { impl_->core->rewrite(std::move(r)); }
void hub::forget_conversation(std::string phone) { impl_->core->forget_conversation(std::move(phone)); }

std::uint64_t hub::latest() const { return impl_->core->latest(); }

std::shared_ptr<http::websocket_upgrade> hub::upgrade_for(std::string username, std::string display_name,
                                                          std::string session) {
    return std::make_shared<socket_upgrade>(impl_->core, std::move(username), std::move(display_name),
                                            std::move(session));
}

void hub::end_sessions(const std::vector<std::string>& sessions) {
    if (sessions.empty()) return;
    impl_->core->close_ended([&](const std::string& session) {
        return std::find(sessions.begin(), sessions.end(), session) != sessions.end();
    });
}

void hub::send_to(const std::string& username, std::string frame) {
    auto shared = std::make_shared<const std::string>(std::move(frame));
    std::vector<std::shared_ptr<agent_socket>> theirs;
    {
        std::lock_guard lock(impl_->core->mutex);
        for (auto& [_, weak] : impl_->core->sockets)
            if (auto s = weak.lock(); s && s->username() == username) theirs.push_back(std::move(s));
    }
    for (auto& s : theirs) s->push_frame(shared, false);
}

std::vector<std::string> hub::online() const {
    std::lock_guard lock(impl_->core->mutex);
    std::vector<std::string> out;
    for (auto& [name, _] : impl_->core->online) out.push_back(name);
    return out;
}

}  // namespace switchboard::ws
