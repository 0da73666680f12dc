// The mailer's thread: one mail at a time through libcurl's SMTP, tried a
// few times, cut short by stop().
#include "switchboard/notify/mailer.hpp"

#include "switchboard/core/ids.hpp"
#include "switchboard/core/log.hpp"
#include "switchboard/core/metrics.hpp"

#include <curl/curl.h>
#include <pthread.h>

#include <atomic>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>

namespace switchboard::notify {

namespace {

// What libcurl reads the message from.
struct upload {
    std::string_view rest;
};

std::size_t read_upload(char* buffer, std::size_t size, std::size_t count, void* user) {
    auto& u = *static_cast<upload*>(user);
    auto n = std::min(size * count, u.rest.size());
    std::memcpy(buffer, u.rest.data(), n);
    u.rest.remove_prefix(n);
    return n;
}

// Nonzero aborts the transfer: the mailer is stopping.
int progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    return static_cast<const std::atomic<bool>*>(user)->load() ? 1 : 0;
}

}  // namespace

struct mailer::impl {
    impl(mailer_options o, metrics::registry& metrics)
        : options(std::move(o)),
          sent(metrics.get_counter("switchboard_emails_total", "E-mails to agents who were away, by outcome",
                                   {{"outcome", "sent"}})),
          failed(metrics.get_counter("switchboard_emails_total", "E-mails to agents who were away, by outcome",
                                     {{"outcome", "failed"}})),
          dropped(metrics.get_counter("switchboard_emails_total", "E-mails to agents who were away, by outcome",
                                      {{"outcome", "dropped"}})) {
        if (options.url.empty()) return;
        curl_global_init(CURL_GLOBAL_DEFAULT);
        worker = std::thread([this] { run(); });
    }

    void run() {
        pthread_setname_np(pthread_self(), "sb-mail");
        std::unique_lock lock(mutex);
        for (;;) {
            wake.wait(lock, [&] { return stopping || !queue.empty(); });
            if (stopping) return;
            auto m = std::move(queue.front());
            queue.pop_front();
            std::string error;
            bool done = false;
            for (int attempt = 1; attempt <= options.attempts && !stopping; ++attempt) {
                lock.unlock();
                done = deliver(m, error);
                lock.lock();
                if (done || attempt == options.attempts) break;
                // A second, then two, ...: the server may be restarting.
                wake.wait_for(lock, std::chrono::seconds(attempt), [&] { return stopping; });
            }
            if (done) {
                sent.inc();
            } else if (!stopping) {
                failed.inc();
                log::warn("e-mail not sent", {{"to", m.to}, {"error", error}});
            }
        }
    }

    // One try; `error` says why it failed.
    bool deliver(const mail& m, std::string& error) {
        auto text = wire_message(m, options.from, std::chrono::system_clock::now(), unique_id("mail_") + "@switchboard");
        upload body{text};
        std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
        if (!curl) {
            error = "libcurl could not start";
            return false;
        }
        auto* c = curl.get();
        std::string from = "<" + std::string(bare_address(options.from)) + ">";
        std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> to(
            curl_slist_append(nullptr, ("<" + m.to + ">").c_str()), curl_slist_free_all);
        char why[CURL_ERROR_SIZE] = {};
        curl_easy_setopt(c, CURLOPT_URL, options.url.c_str());
        curl_easy_setopt(c, CURLOPT_MAIL_FROM, from.c_str());
        curl_easy_setopt(c, CURLOPT_MAIL_RCPT, to.get());
        curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(c, CURLOPT_READFUNCTION, read_upload);
        curl_easy_setopt(c, CURLOPT_READDATA, &body);
        curl_easy_setopt(c, CURLOPT_ERRORBUFFER, why);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // a thread of its own: no SIGALRM for timeouts
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
        curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
        curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
        curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, progress);
        curl_easy_setopt(c, CURLOPT_XFERINFODATA, &stopping_now);
        // A password goes only over TLS; without one, TLS when the server offers it.
        curl_easy_setopt(c, CURLOPT_USE_SSL, options.username.empty() ? CURLUSESSL_TRY : CURLUSESSL_ALL);
        if (!options.username.empty()) {
            curl_easy_setopt(c, CURLOPT_USERNAME, options.username.c_str());
            curl_easy_setopt(c, CURLOPT_PASSWORD, options.password.c_str());
        }
        auto rc = curl_easy_perform(c);
        if (rc == CURLE_OK) return true;
        error = why[0] ? why : curl_easy_strerror(rc);
        return false;
    }

    bool send(mail m) {
        {
            std::lock_guard lock(mutex);
            if (!stopping && worker.joinable() && queue.size() < options.queue_limit) {
                queue.push_back(std::move(m));
                wake.notify_one();
                return true;
            }
        }
        dropped.inc();
        return false;
    }

    void stop() {
        {
            std::lock_guard lock(mutex);
            stopping = true;
            stopping_now = true;
            queue.clear();
        }
        wake.notify_all();
        if (worker.joinable()) worker.join();
    }

    mailer_options options;
    metrics::counter& sent;
    metrics::counter& failed;
    metrics::counter& dropped;
    std::mutex mutex;
    std::condition_variable wake;
    std::deque<mail> queue;
    bool stopping = false;
    std::atomic<bool> stopping_now{false};  // read by libcurl's progress callback, without the lock
    std::thread worker;
};

mailer::mailer(mailer_options options, metrics::registry& metrics)
    : impl_(std::make_unique<impl>(std::move(options), metrics)) {}

mailer::~mailer() { stop(); }

bool mailer::enabled() const { return !impl_->options.url.empty(); }

bool mailer::send(mail m) { return impl_->send(std::move(m)); }

void mailer::stop() { impl_->stop(); }

}  // namespace switchboard::notify
