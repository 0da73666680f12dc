#include "switchboard/channels/media.hpp"

#include "switchboard/channels/provider_error.hpp"
#include "switchboard/chat/conversation.hpp"
#include "switchboard/core/ids.hpp"
#include "switchboard/core/metrics.hpp"
#include "switchboard/core/whole_number.hpp"

#include "../core/shared_result.hpp"
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

// A multipart/form-data part's quoted name: RFC 7578 takes UTF-8 as is,
// but a quote or a line break would end the header.
std::string quoted_part_name(const std::string& name) {
    std::string out = "\"";
    for (char c : name) out.push_back(c == '"' || c == '\\' || c == '\r' || c == '\n' ? '_' : c);
    return out + '"';
}

// Meta's upload form: messaging_product, the type, and the file. The
// boundary is random and checked against the file, which it must not occur in.
std::pair<std::string, std::string> upload_form(const std::string& bytes, const std::string& mime_type,
                                                const std::string& filename) {
    std::string boundary;
    do boundary = random_hex_id("switchboard-", 16);
    while (bytes.find(boundary) != std::string::npos);
    auto field = [&](std::string_view name, std::string_view value) {
        return "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + std::string(name) + "\"\r\n\r\n" +
               std::string(value) + "\r\n";
    };
    std::string body = field("messaging_product", "whatsapp") + field("type", mime_type);
    body.reserve(body.size() + bytes.size() + 256);
    body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=" +
            quoted_part_name(filename.empty() ? "file" : filename) + "\r\nContent-Type: " + mime_type + "\r\n\r\n";
    body += bytes;
    body += "\r\n--" + boundary + "--\r\n";
    return {std::move(body), "multipart/form-data; boundary=" + boundary};
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
          bytes(metrics.get_counter("switchboard_media_bytes_total", "bytes of WhatsApp files fetched for agents")),
          uploaded(metrics.get_counter("switchboard_media_uploads_total", "agents' files uploaded to WhatsApp, by outcome",
                                       {{"outcome", "ok"}})),
          upload_failed(metrics.get_counter("switchboard_media_uploads_total",
                                            "agents' files uploaded to WhatsApp, by outcome", {{"outcome", "failed"}})) {
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
        // A player asks for a file again a range at a time as it starts, and
        // several agents open the same chat at once: one fetch for them all.
        if (auto at = fetching.find(media_id); at != fetching.end()) {
            auto under_way = at->second;
            auto out = co_await under_way->wait();
            if (out.bytes) cache_hits.inc();
            co_return out;
        }
        auto mine = std::make_shared<shared_result<fetched_media>>(strand);
        fetching.emplace(media_id, mine);
        auto fetch_and_keep = [&]() -> net::awaitable<fetched_media> {
            auto out = co_await fetch(media_id);
            (out.bytes ? fetched : failed).inc();
            if (out.bytes) {
                bytes.inc(out.bytes->size());
                keep(media_id, out.bytes);
            }
            co_return out;
        };
        // Named locals, not temporaries in the co_await (GCC 12).
        auto if_thrown = failure("the fetch stopped before it was done");
        auto forget = [&] { fetching.erase(media_id); };
        auto settled = mine->settle(fetch_and_keep, std::move(if_thrown), forget);
        co_return co_await std::move(settled);
    }

    // On the strand; counted, and the file kept under its new id.
    net::awaitable<uploaded_media> run_upload(std::string phone_number_id, std::shared_ptr<const std::string> file,
                                              std::string mime_type, std::string filename) {
        auto out = co_await send_upload(phone_number_id, *file, mime_type, filename);
        (out.media_id.empty() ? upload_failed : uploaded).inc();
        if (!out.media_id.empty()) keep(out.media_id, std::move(file));
        co_return out;
    }

    net::awaitable<uploaded_media> send_upload(const std::string& phone_number_id, const std::string& file,
                                               const std::string& mime_type, const std::string& filename) {
        auto fail = [](std::string why) { return uploaded_media{{}, std::move(why)}; };
        if (stopped) co_return fail("shutting down");
        if (!api) co_return fail("no --wa-api-base is set, so files cannot be sent to WhatsApp");
        if (!chat::is_media_id(phone_number_id))  // it goes into the path
            co_return fail("the conversation has no WhatsApp business number to send from");
        auto [body, content_type] = upload_form(file, mime_type, filename);
        auto res = co_await client().post(*api, "/" + phone_number_id + "/media", std::move(body), authorization(),
                                          std::move(content_type));
        if (res.status == 0) co_return fail("WhatsApp could not be reached: " + res.error);
        if (res.status / 100 != 2) co_return fail(refusal_reason(res.status, res.body));
        boost::system::error_code ec;
        auto doc = json::parse(res.body, ec);
        auto* id = !ec && doc.is_object() ? doc.as_object().if_contains("id") : nullptr;
        if (!id || !id->is_string() || !chat::is_media_id(id->as_string()))
            co_return fail("WhatsApp's answer to the upload has no media id");
        co_return uploaded_media{std::string(id->as_string()), {}};
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
    metrics::counter &fetched, &failed, &cache_hits, &bytes, &uploaded, &upload_failed;
    // The files opened last, the latest first.
    std::list<std::pair<std::string, std::shared_ptr<const std::string>>> recent;
    std::unordered_map<std::string, decltype(recent)::iterator> index;
    std::unordered_map<std::string, std::shared_ptr<shared_result<fetched_media>>> fetching;  // under way
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

net::awaitable<uploaded_media> media_fetcher::upload(std::string phone_number_id,
                                                     std::shared_ptr<const std::string> bytes, std::string mime_type,
                                                     std::string filename) {
    auto self = impl_;  // named locals, as in fetch()
    auto job = [self, number = std::move(phone_number_id), bytes = std::move(bytes), mime = std::move(mime_type),
                name = std::move(filename)] { return self->run_upload(number, bytes, mime, name); };
    auto on_strand = net::co_spawn(self->strand, std::move(job), net::use_awaitable);
    co_return co_await std::move(on_strand);
}

std::uint64_t media_fetcher::max_bytes() const { return impl_->options.max_bytes; }

void media_fetcher::stop() {
    net::post(impl_->strand, [self = impl_] {
        self->stopped = true;
        if (self->client_) self->client_->shutdown();
    });
}

}  // namespace switchboard::channels
