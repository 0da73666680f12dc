#include "switchboard/channels/event_webhook.hpp"

#include "switchboard/channels/outbox.hpp"
#include "switchboard/channels/provider_error.hpp"
#include "switchboard/channels/whatsapp.hpp"
#include "switchboard/core/metrics.hpp"
#include "switchboard/core/repeated_problem.hpp"
#include "switchboard/events/event.hpp"
#include "switchboard/store/store.hpp"

#include "http_client.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <random>

namespace switchboard::channels {

namespace {

// Where the endpoint got to, kept under this name as {"url","after"}: a
// different URL is a new endpoint, which starts from now.
constexpr std::string_view cursor_key = "event_webhook";

std::optional<std::uint64_t> saved_cursor(const store::store& store, const std::string& url) {
    auto text = store.find_setting(cursor_key);
    if (!text) return std::nullopt;
    boost::system::error_code ec;
    auto v = boost::json::parse(*text, ec);
    if (ec || !v.is_object()) return std::nullopt;
    auto& o = v.as_object();
    auto* saved_url = o.if_contains("url");
    auto* after = o.if_contains("after");
    if (!saved_url || !saved_url->is_string() || saved_url->as_string() != url || !after) return std::nullopt;
    auto seq = after->to_number<std::uint64_t>(ec);  // parsed back as int64: JSON has one kind of number
    if (ec) return std::nullopt;
    return seq;
}

// {"events":[…]}: each event as agents get it over /ws.
std::string batch_body(const std::vector<store::event_record>& events) {
    std::size_t size = 16;
    for (auto& e : events) size += e.json->size() + 1;
    std::string body;
    body.reserve(size);
    body += R"({"events":[)";
    for (std::size_t i = 0; i < events.size(); ++i) {
        if (i) body += ',';
        body += *events[i].json;
    }
    body += "]}";
    return body;
}

}  // namespace

struct event_webhook::impl : std::enable_shared_from_this<impl> {
    impl(net::io_context& ioc, store::store& store_, metrics::registry& metrics, event_webhook_options options_)
        : strand(net::make_strand(ioc)),
          store(store_),
          options(std::move(options_)),
          url(parse_url(options.url)),
          client(strand, options.request_timeout, 1, options.ca_file),
          wake(strand),
          retry(strand),
          delivered(metrics.get_counter("switchboard_event_webhook_delivered_total",
                                        "Events the --events-url endpoint accepted")),
          failures(metrics.get_counter("switchboard_event_webhook_failures_total",
                                       "POSTs to --events-url that failed (retried)")),
          skipped(metrics.get_counter("switchboard_event_webhook_skipped_total",
                                      "Events --events-url never got: past their retention, or one alone too large for it")),
          problem(log::level::warn, "event webhook failing", "event webhook delivering again"),
          rng(std::random_device{}()) {
        if (!url) throw std::invalid_argument("--events-url: '" + options.url + "' is not an http(s) URL");
    }

    net::awaitable<void> run() {
        auto self = shared_from_this();
        stored_upto = store.event_bounds().second;
        auto saved = saved_cursor(store, options.url);
        // One past the stored log is of a numbering begun again (every event aged out).
        bool usable = saved && *saved <= stored_upto;
        after = usable ? *saved : stored_upto;
        saved_after = after;
        if (!usable) co_await save();  // what comes from now on is this endpoint's, across a restart too
        std::uint32_t failed_in_a_row = 0;
        while (!stopped) {
            if (after >= stored_upto) {
                if (after != saved_after) {  // idle: a good time to note where it got to
                    co_await save();
                    continue;  // stopped meanwhile, or more came: a wait begun after stop() would never end
                }
                wake.expires_at(net::steady_timer::time_point::max());
                co_await wake.async_wait(use_tuple);
                continue;
            }
            auto events = store.load_events(after, batch);
            if (events.empty() || events.front().seq > after + 1) {
                // Pruned by retention while the endpoint was away (or never
                // stored: the disk failed): said, counted, and gone past.
                auto next = events.empty() ? stored_upto + 1 : events.front().seq;
                skipped.inc(next - after - 1);
                log::warn("event webhook skipped events no longer kept",
                          {{"from", std::to_string(after + 1)}, {"to", std::to_string(next - 1)}});
                after = next - 1;
                if (events.empty()) {
                    co_await save();
                    continue;
                }
            }
            auto last = events.back().seq;
            if (!options.types.empty()) {
                std::erase_if(events, [&](const store::event_record& e) { return !wanted(*e.json); });
                if (events.empty()) {  // none of them this endpoint's: past them
                    after = last;
                    co_await save();
                    continue;
                }
            }
            auto res = co_await post(events);
            if (stopped) break;
            if (res.status >= 200 && res.status < 300) {
                after = last;
                delivered.inc(events.size());
                failed_in_a_row = 0;
                problem.stopped();
                grow_batch();
                // Noted at most every save_every while it keeps busy: a
                // durable write per POST held the next POST up by a sync,
                // and at least once allows a place noted a little late.
                if (std::chrono::steady_clock::now() - saved_at >= options.save_every) co_await save();
                continue;
            }
            failures.inc();
            if (res.status == 413) {  // too large for the endpoint: smaller at once, and from then on
                taken_at_this_size = 0;
                if (batch > 1) {
                    batch = std::max<std::size_t>(1, std::min(batch, events.size()) / 2);
                    log::warn("event webhook batch too large for the endpoint",
                              {{"url", options.url}, {"events", std::to_string(batch)}});
                    continue;
                }
                // One event alone is refused: it can never go, and holding
                // on to it would hold back every event after it.
                skipped.inc();
                log::warn("event webhook skipped an event too large for the endpoint",
                          {{"url", options.url}, {"seq", std::to_string(events.front().seq)}});
                after = events.front().seq;  // the events left out before it go with it
                co_await save();
                continue;
            }
            problem.occurred({{"url", options.url},
                              {"error", res.status ? refusal_reason(res.status, res.body) : res.error},
                              {"after", std::to_string(after)}});
            auto jitter = std::uniform_real_distribution<double>(0, 1)(rng);
            retry.expires_after(retry_delay(++failed_in_a_row, options.first_retry, options.max_backoff, jitter));
            co_await retry.async_wait(use_tuple);
        }
        if (after != saved_after) co_await save();  // stopping: the store closes after the io threads
    }

    // Twice as many a POST after grow_after taken at this size, up to
    // max_batch: one large event or a limit the endpoint has since raised
    // would otherwise keep it at one event a POST for the process's life. An
    // endpoint whose limit stands refuses one POST in grow_after for it.
    void grow_batch() {
        if (batch >= options.max_batch || ++taken_at_this_size < grow_after) return;
        batch = std::min(options.max_batch, batch * 2);
        taken_at_this_size = 0;
    }

    bool wanted(std::string_view envelope) const {
        auto type = events::envelope_type(envelope);
        return std::find(options.types.begin(), options.types.end(), type) != options.types.end();
    }

    net::awaitable<client_response> post(const std::vector<store::event_record>& events) {
        auto body = batch_body(events);
        http_client::header_list headers{
            {"X-Switchboard-Events", std::to_string(events.front().seq) + "-" + std::to_string(events.back().seq)}};
        if (!options.secret.empty())
            headers.emplace_back("X-Switchboard-Signature", "sha256=" + hmac_sha256_hex(options.secret, body));
        co_return co_await client.post(*url, "", std::move(body), std::move(headers));
    }

    // At least once: a cursor not saved (the disk failing) only means the
    // endpoint may get those events again after a restart.
    net::awaitable<void> save() {
        saved_after = after;
        saved_at = std::chrono::steady_clock::now();
        boost::json::value v = {{"url", options.url}, {"after", after}};
        store::write_batch b;
        b.settings_put.emplace_back(std::string(cursor_key), boost::json::serialize(v));
        try {
            co_await store.write(std::move(b));
        } catch (const std::exception& e) {
            log::warn("event webhook position not stored", {{"error", e.what()}});
        }
    }

    net::strand<net::io_context::executor_type> strand;
    store::store& store;
    event_webhook_options options;
    std::optional<url_parts> url;
    http_client client;
    net::steady_timer wake, retry;
    metrics::counter &delivered, &failures, &skipped;
    log::repeated_problem problem;
    std::mt19937 rng;
    std::size_t batch = options.max_batch;  // what the endpoint takes in one POST, as far as known
    std::size_t taken_at_this_size = 0;     // POSTs taken since `batch` last changed
    static constexpr std::size_t grow_after = 50;
    std::uint64_t after = 0;        // the endpoint has every event up to here
    std::uint64_t saved_after = 0;  // as the store has it
    std::chrono::steady_clock::time_point saved_at{};
    std::uint64_t stored_upto = 0;  // the store has every event up to here
    bool stopped = false;
};

event_webhook::event_webhook(net::io_context& ioc, store::store& store, metrics::registry& metrics,
                             event_webhook_options options)
    : impl_(std::make_shared<impl>(ioc, store, metrics, std::move(options))) {}

event_webhook::~event_webhook() { stop(); }

void event_webhook::start() {
    net::co_spawn(impl_->strand, impl_->run(), [self = impl_](std::exception_ptr e) {
        if (e && !self->stopped) log::failure("event webhook stopped", e);
    });
}

void event_webhook::stored(std::uint64_t seq) {
    net::post(impl_->strand, [self = impl_, seq] {
        if (seq <= self->stored_upto) return;
        self->stored_upto = seq;
        self->wake.cancel();
    });
}

void event_webhook::stop() {
    net::post(impl_->strand, [self = impl_] {
        if (self->stopped) return;
        self->stopped = true;
        self->wake.cancel();
        self->retry.cancel();
        self->client.shutdown();
    });
}

}  // namespace switchboard::channels
