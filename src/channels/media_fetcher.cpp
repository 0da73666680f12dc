#include "switchboard/channels/media.hpp"

#include "switchboard/channels/provider_error.hpp"
#include "switchboard/core/metrics.hpp"

#include "http_client.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>

namespace switchboard::channels {

namespace json = boost::json;

namespace {

fetched_media failure(std::string why) {
    fetched_media out;
    out.error = std::move(why);
    return out;
}

// A size as an agent reads it: whole MiB, rounded up, or bytes below one.
std::string size_words(std::uint64_t bytes) {
    if (bytes < (1u << 20)) return std::to_string(bytes) + " bytes";
    return std::to_string((bytes + (1u << 20) - 1) >> 20) + " MiB";
}

// file_size is a number in some of Meta's answers and a string in others.
std::optional<std::uint64_t> file_size_of(const json::object& o) {
    auto* v = o.if_contains("file_size");
    if (!v) return std::nullopt;
    if (v->is_uint64()) return v->as_uint64();
    if (v->is_int64() && v->as_int64() >= 0) return static_cast<std::uint64_t>(v->as_int64());
    if (v->is_string()) {
        std::uint64_t n = 0;
        auto& s = v->as_string();
        if (s.empty()) return std::nullopt;
        for (char c : s) {
            if (c < '0' || c > '9' || n > UINT64_MAX / 10) return std::nullopt;
            n = n * 10 + static_cast<std::uint64_t>(c - '0');
        }
        return n;
    }
    return std::nullopt;
}

}  // namespace

struct media_fetcher::impl {
    impl(net::io_context& ioc, metrics::registry& metrics, media_options o)
        : options(std::move(o)),
          strand(net::make_strand(ioc)),
          fetched(metrics.get_counter("switchboard_media_fetches_total", "WhatsApp files fetched for agents, by outcome",
                                      {{"outcome", "ok"}})),
          failed(metrics.get_counter("switchboard_media_fetches_total", "WhatsApp files fetched for agents, by outcome",
                                     {{"outcome", "failed"}})),
          bytes(metrics.get_counter("switchboard_media_bytes_total", "bytes of WhatsApp files passed on to agents")) {
        if (!options.wa_api_base.empty()) api = parse_url(options.wa_api_base);
    }

    // Made at the first file: its TLS context reads the system's CA
    // certificates, about 50 ms, which a server whose agents open no file
    // need not spend at start-up.
    http_client& client() {
        if (!client_) client_.emplace(strand, options.request_timeout, options.connections_per_host, options.ca_file);
        return *client_;
    }

    http_client::header_list authorization() const { return {{"Authorization", "Bearer " + options.wa_token}}; }

    // On the strand, as the client is; counted.
    net::awaitable<fetched_media> run(std::string media_id) {
        auto out = co_await fetch(std::move(media_id));
        (out.ok ? fetched : failed).inc();
        bytes.inc(out.bytes.size());
        co_return out;
    }

    net::awaitable<fetched_media> fetch(std::string media_id) {
        if (stopped) co_return failure("shutting down");
        if (!api) co_return failure("no --wa-api-base is set, so WhatsApp's files cannot be fetched");
        auto info = co_await client().get(*api, "/" + media_id, authorization(), 1u << 16);
        if (info.status == 0) co_return failure("WhatsApp could not be reached: " + info.error);
        if (info.status / 100 != 2) co_return failure(refusal_reason(info.status, info.body));

        boost::system::error_code ec;
        auto doc = json::parse(info.body, ec);
        auto* o = !ec && doc.is_object() ? &doc.as_object() : nullptr;
        auto* u = o ? o->if_contains("url") : nullptr;
        auto where = u && u->is_string() ? parse_url(u->as_string()) : std::nullopt;
        if (!where) co_return failure("WhatsApp's answer for media " + media_id + " has no URL of the file");
        if (auto size = file_size_of(*o); size && *size > options.max_bytes)
            co_return failure("the file is " + size_words(*size) + ", over the " + size_words(options.max_bytes) +
                              " this server passes on (--max-media)");

        auto file = co_await client().get(*where, "", authorization(), options.max_bytes);
        if (file.status == 0) {
            if (file.too_large)
                co_return failure("the file is over the " + size_words(options.max_bytes) +
                                  " this server passes on (--max-media)");
            co_return failure("WhatsApp's file could not be fetched: " + file.error);
        }
        if (file.status / 100 != 2) co_return failure(refusal_reason(file.status, file.body));
        fetched_media out;
        out.ok = true;
        out.bytes = std::move(file.body);
        co_return out;
    }

    media_options options;
    net::strand<net::io_context::executor_type> strand;
    std::optional<http_client> client_;
    std::optional<url_parts> api;
    bool stopped = false;
    metrics::counter &fetched, &failed, &bytes;
};

media_fetcher::media_fetcher(net::io_context& ioc, metrics::registry& metrics, media_options options)
    : impl_(std::make_shared<impl>(ioc, metrics, std::move(options))) {}

media_fetcher::~media_fetcher() = default;

net::awaitable<fetched_media> media_fetcher::fetch(std::string media_id) {
    // Named, not temporaries in the co_await: GCC 12 destroys a lambda's
    // closure there twice (core/run_apart.hpp).
    auto self = impl_;
    auto job = [self, id = std::move(media_id)] { return self->run(id); };
    auto on_strand = net::co_spawn(self->strand, std::move(job), net::use_awaitable);
    co_return co_await std::move(on_strand);
}

void media_fetcher::stop() {
    net::post(impl_->strand, [self = impl_] {
        self->stopped = true;
        if (self->client_) self->client_->shutdown();
    });
}

}  // namespace switchboard::channels
