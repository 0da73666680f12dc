// The event webhook (--events-url): every event agents get over /ws, POSTed
// in order to one URL of the operator's, for integrations (a CRM, a team
// chat, a data warehouse). Read from the stored event log, so what the
// endpoint missed while it was down follows once it is back, within the
// log's retention; delivered at least once, in seq order.
#pragma once

#include <chrono>
#include <cstdint>
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

namespace switchboard::channels {

struct event_webhook_options {
    std::string url;     // http(s)://…: where the batches go
    std::string secret;  // when set, each batch is signed: X-Switchboard-Signature: sha256=<hex HMAC of the body>
    std::string ca_file;
    std::vector<std::string> types;  // the event types to send; empty: all
    // Events in one POST, at most: about 60 KB of ordinary events. An
    // endpoint that answers 413 gets half as many from then on.
    std::size_t max_batch = 100;
    std::chrono::milliseconds first_retry{1000};
    std::chrono::milliseconds max_backoff{std::chrono::seconds(60)};
    std::chrono::seconds request_timeout{10};
    // While it keeps busy, where it got to is saved at most this often (and
    // always once idle).
    std::chrono::milliseconds save_every{250};
};

class event_webhook {
public:
    // Goes on from where the endpoint last answered 2xx at this URL, kept in
    // the store; a URL it has not sent to starts from the newest stored event.
    event_webhook(boost::asio::io_context& ioc, store::store& store, metrics::registry& metrics,
                  event_webhook_options options);
    ~event_webhook();
    event_webhook(const event_webhook&) = delete;
    event_webhook& operator=(const event_webhook&) = delete;

    void start();
    // Events up to `seq` are in the store now. From any thread.
    void stored(std::uint64_t seq);
    void stop();

    struct impl;

private:
    std::shared_ptr<impl> impl_;
};

}  // namespace switchboard::channels
