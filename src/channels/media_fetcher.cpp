#include "switchboard/channels/media.hpp"

#include "switchboard/channels/provider_error.hpp"
#include "switchboard/core/metrics.hpp"
#include "switchboard/core/whole_number.hpp"

#include "http_client.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>

#include <list>
#include <unordered_map>

namespace switchboard::channels {

namespace json = boost::json;

namespace {

fetched_media failure(std::string why) { return {nullptr, std::move(why)}; }

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
    if (v->is_string()) return parse_whole_number(v->as_string());
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
          cache_hits(metrics.get_counter("switchboard_media_cache_hits_total",
                                         "WhatsApp files answered from the server's memory, not fetched again")),
          bytes(metrics.get_counter("switchboard_media_bytes_total", "bytes of WhatsApp files fetched for agents")) {
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

    // On the strand, as the client and the cache are; counted.
    net::awaitable<fetched_media> run(std::string media_id) {
        if (auto hit = cached(media_id)) {
            cache_hits.inc();
            fetched_media out{std::move(hit), {}};
            co_return out;
        }
        auto out = co_await fetch(media_id);
        (out.bytes ? fetched : failed).inc();
        if (out.bytes) {
            bytes.inc(out.bytes->size());
            keep(media_id, out.bytes);
        }
        co_return out;
    }

    std::shared_ptr<const std::string> cached(const std::string& media_id) {
        auto at = index.find(media_id);
        if (at == index.end()) return nullptr;
        recent.splice(recent.begin(), recent, at->second);  // used last: evicted last
        return at->second->second;
    }

    void keep(const std::string& media_id, std::shared_ptr<const std::string> file) {
        if (file->size() > options.cache_bytes || index.count(media_id)) return;
        recent.emplace_front(media_id, std::move(file));
        index[media_id] = recent.begin();
        cached_bytes += recent.front().second->size();
        while (cached_bytes > options.cache_bytes) {
            cached_bytes -= recent.back().second->size();
            index.erase(recent.back().first);
            recent.pop_back();
        }
    }

    net::awaitable<fetched_media> fetch(const std::string& media_id) {
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
        fetched_media out{std::make_shared<const std::string>(std::move(file.body)), {}};
        co_return out;
    }

    media_options options;
    net::strand<net::io_context::executor_type> strand;
    std::optional<http_client> client_;
    std::optional<url_parts> api;
    bool stopped = false;
    metrics::counter &fetched, &failed, &cache_hits, &bytes;
    // The files opened last, the latest first.
    std::list<std::pair<std::string, std::shared_ptr<const std::string>>> recent;
    std::unordered_map<std::string, decltype(recent)::iterator> index;
    std::uint64_t cached_bytes = 0;
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
