// The outbox: one drain coroutine per conversation with pending messages, all
// on the outbox's strand; the HTTP client bounds connections per host.
#include "switchboard/channels/outbox.hpp"

#include "http_client.hpp"
#include "switchboard/channels/provider_error.hpp"
#include "switchboard/chat/bot.hpp"
#include "switchboard/core/log.hpp"
#include "switchboard/core/metrics.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <array>
#include <deque>
#include <optional>
#include <random>
#include <unordered_map>
#include <unordered_set>

namespace switchboard::channels {

std::chrono::milliseconds retry_delay(std::uint32_t attempt, std::chrono::milliseconds first,
                                      std::chrono::milliseconds cap, double jitter01) {
    auto delay = first;
    for (std::uint32_t i = 1; i < attempt && delay < cap; ++i) delay *= 2;
    delay = std::min(delay, cap);
    auto jittered = static_cast<double>(delay.count()) * (0.5 + 0.5 * std::clamp(jitter01, 0.0, 1.0));
    return std::chrono::milliseconds(static_cast<std::int64_t>(jittered));
}

namespace {

// Retry-After in seconds (the HTTP-date form is treated as absent).
std::optional<std::chrono::milliseconds> parse_retry_after(const std::string& v) {
    if (v.empty() || !std::all_of(v.begin(), v.end(), ::isdigit) || v.size() > 6) return std::nullopt;
    return std::chrono::seconds(std::stol(v));
}

// The bot's keywords to tap (store::outbox_item's "choices"), as Meta's
// interactive message: up to three reply buttons, more as a list behind a
// button. Each answers with its id, `sb:` and the keyword
// (whatsapp_payload.cpp). None for a text longer than such a message's body
// takes, which goes as text: the keywords are in it.
bool fits_a_button_message(std::string_view text) {
    constexpr std::size_t max_body_chars = 1024;  // a button message's; a list's is larger
    return chat::utf8_length(text).value_or(max_body_chars + 1) <= max_body_chars;
}

std::optional<boost::json::object> interactive_choices(const store::outbox_item& item) {
    if (!fits_a_button_message(item.text)) return std::nullopt;
    boost::system::error_code ec;
    auto offer = boost::json::parse(item.ref, ec);
    if (ec || !offer.is_object()) return std::nullopt;
    auto* choices = offer.as_object().if_contains("choices");
    auto* button = offer.as_object().if_contains("button");
    auto offered = choices ? chat::offered_choices(*choices) : std::vector<chat::bot_choice>{};
    if (offered.empty()) return std::nullopt;
    boost::json::array options;
    bool as_list = offered.size() > 3;
    for (auto& c : offered) {
        auto id = "sb:" + c.keyword;
        if (as_list)
            options.push_back({{"id", id}, {"title", c.title}});
        else
            options.push_back({{"type", "reply"}, {"reply", {{"id", id}, {"title", c.title}}}});
    }
    boost::json::object out{{"body", {{"text", item.text}}}};
    if (as_list) {
        if (!button || !button->is_string() || button->as_string().empty()) return std::nullopt;
        out["type"] = "list";
        out["action"] = {{"button", *button}, {"sections", {{{"rows", std::move(options)}}}}};
    } else {
        out["type"] = "button";
        out["action"] = {{"buttons", std::move(options)}};
    }
    return out;
}

// Meta's send API: POST /{phone_number_id}/messages. The bot's keywords to
// tap go as buttons only with --wa-buttons. A file goes by the
// media id its upload was given; audio takes no caption. A template's
// object was made whole when the agent sent it (channels/templates.hpp). A
// reply names the message it quotes.
std::string whatsapp_send_body(const store::outbox_item& item, bool buttons) {
    boost::json::object body = {{"messaging_product", "whatsapp"}, {"recipient_type", "individual"}, {"to", item.phone}};
    if (chat::is_media_kind(item.kind)) {
        boost::json::object file = {{"id", item.ref}};
        if (!item.text.empty() && item.kind != "audio") file["caption"] = item.text;
        if (!item.filename.empty() && item.kind == "document") file["filename"] = item.filename;
        body["type"] = item.kind;
        body[item.kind] = std::move(file);
    } else if (item.kind == "template") {
        body["type"] = "template";
        boost::system::error_code ec;  // never thrown in the drain: Meta refuses a broken one, and it fails
        body["template"] = boost::json::parse(item.ref, ec);
    } else if (auto offered = item.kind == "choices" && buttons ? interactive_choices(item) : std::nullopt) {
        body["type"] = "interactive";
        body["interactive"] = std::move(*offered);
    } else {
        body["type"] = "text";
        body["text"] = {{"preview_url", false}, {"body", item.text}};
    }
    if (!item.context.empty()) body["context"] = {{"message_id", item.context}};  // shown quoted
    return boost::json::serialize(body);
}

// Meta's mark-as-read of the user's message `ref`; a "typing" one shows the
// user "typing…" as well, until a message comes or for 25 s.
std::string whatsapp_read_body(const store::outbox_item& item) {
    boost::json::object body = {{"messaging_product", "whatsapp"}, {"status", "read"}, {"message_id", item.ref}};
    if (item.kind == "typing") body["typing_indicator"] = {{"type", "text"}};
    return boost::json::serialize(body);
}

// --outbound-url: {"to","text","id"}, the id stable across retries, and
// "reply_to" with the id of the message a reply quotes.
std::string plain_send_body(const store::outbox_item& item) {
    boost::json::object body = {{"to", item.phone}, {"text", item.text}, {"id", item.message_id}};
    if (!item.context.empty()) body["reply_to"] = item.context;
    if (item.kind == "choices") {  // as the webhook's answer offers them
        boost::system::error_code ec;
        auto offer = boost::json::parse(item.ref, ec);
        if (!ec && offer.is_object())
            if (auto* choices = offer.as_object().if_contains("choices")) body["choices"] = *choices;
    }
    return boost::json::serialize(body);
}

std::vector<std::pair<std::string, std::string>> bearer(const std::string& token) {
    return {{"Authorization", "Bearer " + token}};
}

bool retryable(unsigned status) { return status == 0 || status == 429 || status == 408 || status >= 500; }

// Unreachable or failing, as opposed to asking us to slow down (429, 408).
bool outage(unsigned status) { return status == 0 || status >= 500; }

// A destination just back from an outage is told of it at most this often:
// one that fails every other request must not have every backoff ended each time.
constexpr std::chrono::seconds wake_at_most_every{5};

constexpr std::chrono::seconds probe_at_least_every{5};

std::size_t destination_of(chat::channel via) { return via == chat::channel::whatsapp ? 0 : 1; }

}  // namespace

struct outbox::impl : std::enable_shared_from_this<outbox::impl> {
    impl(net::io_context& ioc, store::store& store_, metrics::registry& metrics, outbox_options options_)
        : strand(net::make_strand(ioc)),
          store(store_),
          options(std::move(options_)),
          client(strand, options.request_timeout, options.connections_per_host, options.ca_file),
          accepted(metrics.get_counter("switchboard_outbox_accepted_total", "Outbound messages a provider accepted")),
          failed(metrics.get_counter("switchboard_outbox_failed_total", "Outbound messages given up as failed")),
          retries(metrics.get_counter("switchboard_outbox_retries_total", "Outbound delivery attempts retried")),
          pending(metrics.get_gauge("switchboard_outbox_pending", "Outbound messages not yet accepted")),
          rng(std::random_device{}()) {
        if (!options.wa_api_base.empty()) wa_base = parse_url(options.wa_api_base);
        if (!options.outbound_url.empty()) plain_url = parse_url(options.outbound_url);
    }

    // What one attempt sends, by channel.
    net::awaitable<client_response> attempt(const store::outbox_item& item) {
        // Arguments built as locals: no braced temporaries inside a co_await (GCC 12).
        client_response res;
        if (item.via == chat::channel::whatsapp) {
            auto target = "/" + item.wa_phone_number_id + "/messages";
            auto body = item.kind == "read" || item.kind == "typing" ? whatsapp_read_body(item)
                                                                      : whatsapp_send_body(item, options.wa_buttons);
            auto headers = bearer(options.wa_token);
            res = co_await client.post(*wa_base, std::move(target), std::move(body), std::move(headers));
        } else {
            auto body = plain_send_body(item);
            std::vector<std::pair<std::string, std::string>> headers;
            res = co_await client.post(*plain_url, "", std::move(body), std::move(headers));
        }
        co_return res;
    }

    static std::string provider_id(const client_response& res) {
        boost::system::error_code ec;
        auto v = boost::json::parse(res.body, ec);
        if (ec || !v.is_object()) return {};
        auto* msgs = v.as_object().if_contains("messages");
        if (!msgs || !msgs->is_array() || msgs->as_array().empty()) return {};
        auto* id = msgs->as_array()[0].is_object() ? msgs->as_array()[0].as_object().if_contains("id") : nullptr;
        return id && id->is_string() ? std::string(id->as_string()) : std::string{};
    }

    // Until the provider accepts, refuses for good, or the message is too old.
    net::awaitable<std::optional<delivery_outcome>> deliver(store::outbox_item item) {
        delivery_outcome out{item.message_id, item.phone, item.seq, false, {}, {}};
        bool configured = item.via == chat::channel::whatsapp ? wa_base.has_value() : plain_url.has_value();
        if (!configured) {
            out.error = "no destination configured for " + std::string(chat::to_string(item.via));
            co_return out;
        }
        auto& d = destinations[destination_of(item.via)];
        for (;;) {
            if (stopped) co_return std::nullopt;  // stays in the store; resumes after restart
            if (forgotten.contains(item.message_id)) co_return std::nullopt;
            // In an outage one retrying message finds out whether the
            // destination is back, and the others wait for it, rather than
            // each knocking (and saving its attempt count) on its own
            // backoff. A message's first try and first retry (within 1 s,
            // SPEC §3) still go: any of them may find the destination back.
            if (item.attempts > 1 && d.failing) {
                if (d.prober && *d.prober != item.phone) {
                    co_await wait_out(item, options.max_backoff, true);  // woken sooner when it is done
                    continue;
                }
                d.prober = item.phone;
            }
            auto res = co_await attempt(item);
            if (stopped) co_return std::nullopt;
            if (res.status >= 200 && res.status < 300) {
                out.accepted = true;
                // Meta names the message (its wamid, for statuses and quotes); a
                // plain endpoint knows it by the id we sent.
                if (item.via == chat::channel::whatsapp) out.provider_id = provider_id(res);
                destination_works(item.via);
                co_return out;
            }
            out.error = res.status ? refusal_reason(res.status, res.body) : res.error;
            // Meta's throttling comes as a 400, which says nothing else went wrong.
            bool slow_down = item.via == chat::channel::whatsapp && res.status == 400 && meta_asks_to_slow_down(res.body);
            if (!retryable(res.status) && !slow_down) {
                // It answered: whatever it thought of this message, it is up.
                destination_works(item.via);
                co_return out;
            }
            if (std::chrono::system_clock::now() - item.created_at > options.max_age) {
                out.error = "gave up after " + std::to_string(item.attempts + 1) + " attempts: " + out.error;
                co_return out;
            }

            ++item.attempts;
            retries.inc();
            try {
                store::write_batch b;
                b.outbox_put.push_back(item);
                co_await store.write(std::move(b));
            } catch (const std::exception& e) {
                log::warn("outbox attempt count not saved", {{"message", item.message_id}, {"error", e.what()}});
            }
            auto delay = retry_delay(item.attempts, options.first_retry, options.max_backoff,
                                     std::uniform_real_distribution<double>(0, 1)(rng));
            bool in_outage = outage(res.status);
            if (in_outage) {
                d.failing = true;
                if (!d.prober) d.prober = item.phone;
                // The one knocking for all knocks often enough to find the
                // destination back within seconds: one request each 5 s.
                if (*d.prober == item.phone) delay = std::min<std::chrono::milliseconds>(delay, probe_at_least_every);
            }
            if (auto after = parse_retry_after(res.retry_after)) delay = std::max(delay, *after);
            log::debug("outbox retry", {{"message", item.message_id},
                                        {"attempt", std::to_string(item.attempts)},
                                        {"delay_ms", std::to_string(delay.count())},
                                        {"error", out.error}});
            co_await wait_out(item, delay, in_outage);
        }
    }

    // A backoff, or a wait behind a destination's prober: `outage` ones end
    // early when the destination is found back, or its prober is done.
    // None once stopped: stop() ended the waits there were, and one begun
    // after it (a retry's attempt count saved meanwhile) would hold the
    // server's exit up for as long as its backoff. The caller's loop finds
    // `stopped` next.
    net::awaitable<void> wait_out(const store::outbox_item& item, std::chrono::milliseconds delay, bool outage) {
        if (stopped) co_return;
        net::steady_timer timer(strand, delay);
        waits[item.phone] = {&timer, item.via, outage};
        co_await timer.async_wait(use_tuple);
        waits.erase(item.phone);
    }

    // The message finding out whether a destination is back is done with
    // (delivered, refused for good, given up): one waiting behind it takes over.
    void stop_probing(chat::channel via, const std::string& phone) {
        auto& d = destinations[destination_of(via)];
        if (d.prober != phone) return;
        d.prober.reset();
        end_outage_waits(via, 1);
    }

    // A destination that had failed took a message: the messages waiting
    // out its outage go now, rather than each at the end of its own backoff
    // (up to --outbox-max-backoff, Retry-After included). The HTTP client's
    // per-host connection bound paces them.
    void destination_works(chat::channel via) {
        auto& d = destinations[destination_of(via)];
        auto now = std::chrono::steady_clock::now();
        if (!d.failing || now - d.last_wake < wake_at_most_every) return;
        d.failing = false;
        d.last_wake = now;
        end_outage_waits(via, waits.size());
    }

    // Ends up to `at_most` of the waits held back by an outage at `via`.
    void end_outage_waits(chat::channel via, std::size_t at_most) {
        for (auto& [phone, w] : waits) {
            if (at_most == 0) return;
            if (w.via == via && w.outage) {
                w.timer->cancel();
                --at_most;
            }
        }
    }

    net::awaitable<void> drain(std::string phone) {
        auto self = shared_from_this();
        for (;;) {
            auto it = queues.find(phone);
            if (it == queues.end() || it->second.empty()) {
                if (it != queues.end()) queues.erase(it);
                co_return;
            }
            auto via = it->second.front().via;
            auto id = it->second.front().message_id;
            auto seq = it->second.front().seq;
            auto outcome = co_await deliver(it->second.front());
            stop_probing(via, phone);
            bool given_up = forgotten.erase(id) > 0;
            if (!outcome && !given_up) co_return;  // stopped
            // Told all the same: an attempt's count saved meanwhile put its
            // row back in the store, which the conversation's actor takes out.
            if (given_up) outcome = delivery_outcome{id, phone, seq, false, {}, "its conversation was erased"};
            if (!outcome->accepted && !given_up)
                log::warn("outbound message failed", {{"message", outcome->message_id}, {"error", outcome->error}});
            try {
                if (handler) co_await handler(*outcome);
            } catch (const std::exception& e) {
                // Not recorded: it stays in the store and is sent again after a restart.
                log::error("delivery outcome not recorded", {{"message", outcome->message_id}, {"error", e.what()}});
            }
            // Counted once recorded, so the figures never run ahead of the store.
            if (!given_up) (outcome->accepted ? accepted : failed).inc();
            pending.add(-1);
            queues[phone].pop_front();
        }
    }

    void add(std::vector<store::outbox_item> items) {
        for (auto& item : items) {
            auto& q = queues[item.phone];
            bool idle = q.empty();
            q.push_back(std::move(item));
            pending.add(1);
            if (idle)
                net::co_spawn(strand, drain(q.front().phone),
                              [](std::exception_ptr e) { log::failure("outbox drain failed", e); });
        }
    }

    // outbox::forget. The one being sent is the queue's first, which its
    // drain takes off when its attempt returns.
    void forget(const std::string& phone) {
        auto it = queues.find(phone);
        if (it == queues.end() || it->second.empty()) return;
        auto& q = it->second;
        pending.add(-static_cast<double>(q.size() - 1));
        q.erase(q.begin() + 1, q.end());
        forgotten.insert(q.front().message_id);
        if (auto w = waits.find(phone); w != waits.end()) w->second.timer->cancel();
    }

    // Sent once, now or never: a late or repeated indicator would say the
    // agent is typing when they are not. Not while a message for the user
    // waits (it ends the indicator anyway) or their destination is failing.
    void show_typing(store::outbox_item item) {
        auto& d = destinations[destination_of(item.via)];
        if (stopped || !wa_base || d.failing || queues.count(item.phone)) return;
        net::co_spawn(
            strand,
            [self = shared_from_this(), item = std::move(item)]() -> net::awaitable<void> {
                auto res = co_await self->attempt(item);
                if (res.status < 200 || res.status >= 300)
                    log::debug("typing indicator refused",
                               {{"phone", item.phone}, {"error", res.status ? refusal_reason(res.status, res.body) : res.error}});
            },
            [](std::exception_ptr e) { log::failure("typing indicator failed", e); });
    }

    net::strand<net::io_context::executor_type> strand;
    store::store& store;
    outbox_options options;
    std::optional<url_parts> wa_base, plain_url;
    http_client client;
    metrics::counter& accepted;
    metrics::counter& failed;
    metrics::counter& retries;
    metrics::gauge& pending;
    std::mt19937 rng;
    outcome_handler handler;
    std::unordered_map<std::string, std::deque<store::outbox_item>> queues;  // by phone, in order
    std::unordered_set<std::string> forgotten;  // message ids given up (forget) while being sent
    struct backoff_wait {
        net::steady_timer* timer;
        chat::channel via;
        bool outage;  // waiting out a failure, not a request to slow down
    };
    std::unordered_map<std::string, backoff_wait> waits;  // by phone: for stop(), and for a destination back
    struct destination {
        bool failing = false;  // an attempt failed since the last success ended the waits
        std::optional<std::string> prober;  // the phone whose message retries for all, while failing
        std::chrono::steady_clock::time_point last_wake{};
    };
    std::array<destination, 2> destinations;  // by destination_of(channel)
    bool stopped = false;
};

outbox::outbox(net::io_context& ioc, store::store& store, metrics::registry& metrics, outbox_options options) {
    for (auto* url : {&options.wa_api_base, &options.outbound_url})
        if (!url->empty() && !parse_url(*url))
            throw std::invalid_argument("not an http(s) URL: '" + *url + "'");
    impl_ = std::make_shared<impl>(ioc, store, metrics, std::move(options));
}

outbox::~outbox() = default;

void outbox::on_outcome(outcome_handler h) {
    net::post(impl_->strand, [self = impl_, h = std::move(h)]() mutable { self->handler = std::move(h); });
}

void outbox::enqueue(std::vector<store::outbox_item> items) {
    if (items.empty()) return;
    net::post(impl_->strand, [self = impl_, items = std::move(items)]() mutable { self->add(std::move(items)); });
}

void outbox::forget(std::string phone) {
    net::post(impl_->strand, [self = impl_, phone = std::move(phone)] { self->forget(phone); });
}

void outbox::show_typing(store::outbox_item item) {
    net::post(impl_->strand, [self = impl_, item = std::move(item)]() mutable { self->show_typing(std::move(item)); });
}

bool outbox::can_deliver(chat::channel via) const {
    return via == chat::channel::whatsapp ? impl_->wa_base.has_value() : impl_->plain_url.has_value();
}

bool outbox::shows_choices(chat::channel via, std::string_view text) const {
    return via == chat::channel::plain || (impl_->options.wa_buttons && fits_a_button_message(text));
}

void outbox::stop() {
    net::post(impl_->strand, [self = impl_] {
        self->stopped = true;
        for (auto& [_, w] : self->waits) w.timer->cancel();
        self->client.shutdown();
    });
}

}  // namespace switchboard::channels
