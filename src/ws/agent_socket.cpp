// An agent's socket. Exactly one writer; the reader only changes the
// cursor or queues control frames, on the same strand.
#include "agent_socket.hpp"

#include "hub_core.hpp"
#include "switchboard/chat/conversation.hpp"
#include "switchboard/core/log.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace switchboard::ws {

namespace websocket = beast::websocket;

namespace {

// Until the client says something (it may want to resume), live events wait
// this long after hello, so that a resume never lands behind newer events.
constexpr std::chrono::milliseconds resume_grace{250};

// How long a write in flight may take to finish once the socket is to close.
constexpr std::chrono::seconds close_grace{1};

std::shared_ptr<const std::string> frame_of(const boost::json::object& o) {
    return std::make_shared<const std::string>(boost::json::serialize(o));
}

}  // namespace

agent_socket::agent_socket(std::shared_ptr<hub_core> hub, std::unique_ptr<http::upgraded_connection> conn,
                           std::string username, std::string display_name, std::string session)
    : hub_(std::move(hub)),
      strand_(conn->stream.get_executor()),
      ws_(std::move(conn->stream)),
      conn_(std::move(conn)),
      username_(std::move(username)),
      display_name_(std::move(display_name)),
      session_(std::move(session)),
      signal_(strand_),
      cut_off_(strand_) {}

agent_socket::~agent_socket() = default;

void agent_socket::start() {
    net::co_spawn(strand_, run(), [self = shared_from_this()](std::exception_ptr e) {
        log::failure("agent socket ended", e, log::level::debug);
        self->stop();
        self->hub_->closed(self.get(), "ended");
    });
}

void agent_socket::wake() {
    net::post(strand_, [self = shared_from_this()] { self->signal_.cancel(); });
}

void agent_socket::push_frame(std::shared_ptr<const std::string> frame, bool droppable) {
    net::post(strand_, [self = shared_from_this(), frame = std::move(frame), droppable] {
        if (self->stopped_) return;
        if (self->side_.size() >= self->hub_->options.max_side_frames) {
            if (droppable) return;  // typing is best effort
            self->closing_ = websocket::close_reason(websocket::close_code::try_again_later, "too far behind");
            self->hub_->count_slow_close();
        } else {
            self->side_.push_back(frame);
        }
        self->signal_.cancel();
    });
}

void agent_socket::close(websocket::close_code code, std::string reason) {
    net::post(strand_, [self = shared_from_this(), code, reason = std::move(reason)] {
        if (self->closing_ || self->stopped_) return;
        self->closing_ = websocket::close_reason(code, reason);
        if (code == websocket::close_code::try_again_later) self->hub_->count_slow_close();
        // A write in flight gets a moment to finish, so that the close frame
        // can follow it and the client learns why (1008 sends a console back
        // to its login form; a dropped connection would have it reconnect
        // for ever). A client that reads nothing is cut off after it.
        if (self->writing) {
            self->cut_off_.expires_after(close_grace);
            self->cut_off_.async_wait([self](beast::error_code ec) {
                if (!ec && self->writing) beast::get_lowest_layer(self->ws_).cancel();
            });
        }
        self->signal_.cancel();
    });
}

void agent_socket::stop() {
    if (stopped_) return;
    stopped_ = true;
    signal_.cancel();
    beast::error_code ec;
    beast::get_lowest_layer(ws_).shutdown(tcp::socket::shutdown_both, ec);
    beast::get_lowest_layer(ws_).close(ec);
}

net::awaitable<void> agent_socket::run() {
    auto self = shared_from_this();
    auto timeouts = websocket::stream_base::timeout::suggested(beast::role_type::server);
    timeouts.idle_timeout = hub_->options.idle_timeout;
    ws_.set_option(timeouts);
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(bhttp::field::server, "switchboard"); }));
    ws_.read_message_max(64 * 1024);
    // A bounded kernel buffer too: a client that stops reading blocks its
    // writer soon, where the hub can see it.
    beast::error_code opt_ec;
    beast::get_lowest_layer(ws_).set_option(net::socket_base::send_buffer_size(256 * 1024), opt_ec);
    auto [ec] = co_await ws_.async_accept(conn_->req, use_tuple);
    conn_.reset();
    if (ec) co_return;

    auto latest = hub_->latest();
    cursor = latest + 1;
    // Who views what goes in the hello, taken under the lock that registers
    // the socket: every change after it comes as a `viewers` frame, queued
    // behind the hello (this runs on the strand those frames are posted to).
    auto viewing_now = hub_->opened(self);
    if (!viewing_now) {  // the server is shutting down: closed as every other socket was
        closing_ = websocket::close_reason(websocket::close_code::going_away, "server shutting down");
        co_await writer();
        co_return;
    }
    side_.push_back(
        frame_of({{"type", "hello"}, {"seq", latest}, {"agent", username_}, {"viewers", std::move(*viewing_now)}}));

    net::co_spawn(strand_, reader(), [self](std::exception_ptr) {
        self->closing_ = self->closing_.value_or(websocket::close_reason(websocket::close_code::normal));
        self->stop();
    });
    co_await writer();
}

net::awaitable<void> agent_socket::reader() {
    auto self = shared_from_this();
    beast::flat_buffer buffer;
    for (;;) {
        auto [ec, n] = co_await ws_.async_read(buffer, use_tuple);
        if (ec) co_return;
        if (!ws_.got_text() || !handle_client_frame(beast::buffers_to_string(buffer.data())))
            hub_->frames_rejected.inc();
        buffer.consume(buffer.size());
    }
}

bool agent_socket::handle_client_frame(const std::string& text) {
    boost::system::error_code ec;
    auto v = boost::json::parse(text, ec);
    if (ec || !v.is_object()) return false;
    auto& o = v.as_object();
    auto* type = o.if_contains("type");
    if (!type || !type->is_string()) return false;

    if (type->as_string() == "resume") {
        auto* after = o.if_contains("after");
        if (!after || !after->is_number()) return false;
        boost::system::error_code not_a_seq;  // negative, or a fraction
        auto after_seq = after->to_number<std::uint64_t>(not_a_seq);
        if (not_a_seq) return false;
        auto plan = hub_->plan_resume(after_seq);
        if (plan.resync) side_.push_back(frame_of({{"type", "resync"}, {"seq", plan.cursor - 1}}));
        // Stored events older than the ring go out as array frames, then the ring from plan.cursor.
        for (std::size_t i = 0; i < plan.backfill.size(); i += hub_->options.max_events_per_frame) {
            std::string frame = "[";
            for (std::size_t k = i; k < std::min(plan.backfill.size(), i + hub_->options.max_events_per_frame); ++k) {
                if (k > i) frame += ',';
                frame += plan.backfill[k];
            }
            side_.push_back(std::make_shared<const std::string>(frame + "]"));
        }
        cursor = plan.cursor;
    } else if (type->as_string() == "ping") {
        // The console's own heartbeat: browsers answer the server's pings but
        // cannot see them, so a console that hears nothing for a while asks.
        side_.push_back(frame_of({{"type", "pong"}}));
    } else if (type->as_string() == "typing") {
        auto* conv = o.if_contains("conversation");
        auto* on = o.if_contains("on");
        if (!conv || !conv->is_string()) return false;
        bool typing = on && on->is_bool() ? on->as_bool() : true;
        hub_->typing(this, std::string(conv->as_string()), typing);
        auto* to_user = o.if_contains("to_user");
        if (typing && to_user && to_user->is_bool() && to_user->as_bool() && hub_->options.on_typing_to_user)
            hub_->options.on_typing_to_user(username(), std::string(conv->as_string()));
    } else if (type->as_string() == "viewing") {
        // A conversation's phone, or null when the console shows none.
        auto* conv = o.if_contains("conversation");
        if (!conv || !(conv->is_string() || conv->is_null())) return false;
        std::string phone;
        if (conv->is_string()) {
            auto normal = chat::normalize_phone(conv->as_string());
            if (!normal) return false;
            phone = std::move(*normal);
        }
        hub_->viewing(this, std::move(phone));
    } else {
        return false;
    }
    live_ = true;
    signal_.cancel();
    return true;
}

net::awaitable<void> agent_socket::writer() {
    auto self = shared_from_this();
    auto grace_until = std::chrono::steady_clock::now() + resume_grace;
    std::vector<std::shared_ptr<const std::string>> batch;
    for (;;) {
        if (stopped_) co_return;
        if (closing_) {
            if (!writing) {
                // A peer that never answers the close must not hold a shutdown up.
                auto opt = websocket::stream_base::timeout::suggested(beast::role_type::server);
                opt.handshake_timeout = std::chrono::seconds(2);
                ws_.set_option(opt);
                co_await ws_.async_close(*closing_, use_tuple);
            }
            co_return;
        }
        std::shared_ptr<const std::string> frame;
        if (!side_.empty()) {
            frame = std::move(side_.front());
            side_.pop_front();
        } else if (live_ || std::chrono::steady_clock::now() >= grace_until) {
            live_ = true;
            if (auto due = last_ring_write + hub_->options.coalesce_window; std::chrono::steady_clock::now() < due) {
                signal_.expires_at(due);
                co_await signal_.async_wait(use_tuple);
                continue;
            }
            batch.clear();
            auto c = cursor.load();
            if (hub_->collect(c, hub_->options.max_events_per_frame, batch) == hub_core::collect_result::lagged) {
                closing_ = websocket::close_reason(websocket::close_code::try_again_later, "too far behind");
                hub_->count_slow_close();
                continue;
            }
            if (batch.size() == 1) {
                frame = batch[0];
            } else if (!batch.empty()) {
                std::string joined = "[";
                for (std::size_t i = 0; i < batch.size(); ++i) {
                    if (i) joined += ',';
                    joined += *batch[i];
                }
                frame = std::make_shared<const std::string>(joined + "]");
            }
            cursor = c + batch.size();
            if (frame) last_ring_write = std::chrono::steady_clock::now();
        }
        if (frame) {
            ws_.text(true);
            writing = true;
            auto [ec, n] = co_await ws_.async_write(net::buffer(*frame), use_tuple);
            writing = false;
            if (ec) co_return;
            hub_->frames_sent.inc();
            continue;
        }
        // Nothing to send: sleep until the hub or the reader signals.
        waiting = true;
        bool more = cursor.load() <= hub_->latest() && live_;
        if (more || !side_.empty() || closing_ || stopped_) {
            waiting = false;
            continue;
        }
        signal_.expires_at(live_ ? net::steady_timer::time_point::max() : grace_until);
        co_await signal_.async_wait(use_tuple);
        waiting = false;
    }
}

}  // namespace switchboard::ws
