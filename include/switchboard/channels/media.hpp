// WhatsApp's files, both ways. A media message's file is fetched when an
// agent opens it: the Graph API answers a media id with a short-lived URL,
// and that URL with the file, both for the access token. An agent's file is
// uploaded to the business number's media, and its message then sent by the
// id Meta gives it. Meta keeps a file for 30 days; the files opened or sent
// last are kept here too, in memory up to a bound, because a browser asks
// for a voice message or a video again a range at a time, and several
// agents open the same chat.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace boost::asio {
class io_context;
}
namespace switchboard::metrics {
class registry;
}

namespace switchboard::channels {

struct media_options {
    std::string wa_api_base;
    std::string wa_token;
    std::string ca_file;  // extra trusted CA certificates (PEM), as for the outbox
    std::chrono::seconds request_timeout{30};
    std::uint64_t max_bytes = 16u << 20;  // WhatsApp's own limit for audio and video
    std::size_t connections_per_host = 4;  // also bounds the files being fetched at once
    std::uint64_t cache_bytes = 64u << 20;  // the files opened last, kept up to this many bytes
};

struct fetched_media {
    std::shared_ptr<const std::string> bytes;  // null when the file could not be had
    std::string error;                         // then why, in words an agent can act on
};

struct uploaded_media {
    std::string media_id;  // empty when the upload failed
    std::string error;     // then why, in words an agent can act on
};

class media_fetcher {
public:
    media_fetcher(boost::asio::io_context& ioc, metrics::registry& metrics, media_options options);
    ~media_fetcher();
    media_fetcher(const media_fetcher&) = delete;
    media_fetcher& operator=(const media_fetcher&) = delete;

    // Safe from any executor; resumes the caller on its own.
    boost::asio::awaitable<fetched_media> fetch(std::string media_id);
    // Uploads a file to the media of the business number `phone_number_id`
    // (Meta's POST /{phone_number_id}/media). The file is then in the cache
    // under its new id, so its sender's console shows it without a fetch.
    boost::asio::awaitable<uploaded_media> upload(std::string phone_number_id, std::shared_ptr<const std::string> bytes,
                                                  std::string mime_type, std::string filename);
    // The largest file fetched or uploaded (--max-media).
    std::uint64_t max_bytes() const;
    // Ends the fetches in flight (they answer "shutting down").
    void stop();

    struct impl;

private:
    std::shared_ptr<impl> impl_;
};

}  // namespace switchboard::channels
