#include "smtp_receiver.hpp"

#include <boost/asio.hpp>
#include <openssl/evp.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace switchboard::test {

namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string base64_decoded(std::string text) {
    std::erase_if(text, [](char c) { return c == '\r' || c == '\n'; });
    std::string bytes(text.size(), '\0');
    auto n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(bytes.data()),
                             reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
    if (n < 0) throw std::runtime_error("not base64");
    bytes.resize(static_cast<std::size_t>(n) - (text.ends_with("==") ? 2 : text.ends_with("=") ? 1 : 0));
    return bytes;
}

// The address in "MAIL FROM:<a@b>" or "RCPT TO:<a@b>".
std::string address_in(const std::string& line) {
    auto open = line.find('<'), close = line.rfind('>');
    return open == std::string::npos || close == std::string::npos ? std::string{} : line.substr(open + 1, close - open - 1);
}

}  // namespace

std::string received_mail::header(const std::string& name) const { return header_of(data, name); }

std::string header_of(const std::string& data, const std::string& name) {
    auto wanted = lower(name) + ":";
    std::size_t at = 0;
    while (at < data.size()) {
        auto end = data.find("\r\n", at);
        if (end == std::string::npos || end == at) break;  // the blank line: the headers end
        auto line = data.substr(at, end - at);
        if (lower(line.substr(0, wanted.size())) == wanted) {
            auto value = line.substr(wanted.size());
            // Folded onto the lines that start with white space.
            for (auto next = end + 2; next < data.size() && (data[next] == ' ' || data[next] == '\t');) {
                auto next_end = data.find("\r\n", next);
                value += data.substr(next, next_end - next);
                next = next_end + 2;
            }
            while (!value.empty() && value.front() == ' ') value.erase(0, 1);
            return value;
        }
        at = end + 2;
    }
    return {};
}

std::string decoded_words(const std::string& header) {
    std::string out;
    for (auto at = header.find("=?UTF-8?B?"); at != std::string::npos; at = header.find("=?UTF-8?B?", at)) {
        auto start = at + 10, end = header.find("?=", start);
        out += base64_decoded(header.substr(start, end - start));
        at = end;
    }
    return out;
}

std::string received_mail::body() const {
    auto blank = data.find("\r\n\r\n");
    return blank == std::string::npos ? std::string{} : data.substr(blank + 4);
}

std::string received_mail::part(const std::string& type) const { return mime_part(data, type); }

namespace {

// An entity's body as its Content-Transfer-Encoding says, or empty when its type is not `type`.
std::string entity_content(const std::string& entity, const std::string& type) {
    if (!lower(header_of(entity, "Content-Type")).starts_with(type)) return {};
    auto blank = entity.find("\r\n\r\n");
    auto content = blank == std::string::npos ? std::string{} : entity.substr(blank + 4);
    return lower(header_of(entity, "Content-Transfer-Encoding")) == "base64" ? base64_decoded(content) : content;
}

}  // namespace

std::string mime_part(const std::string& message, const std::string& type) {
    auto content_type = header_of(message, "Content-Type");
    if (!lower(content_type).starts_with("multipart/")) return entity_content(message, type);
    auto at = content_type.find("boundary=\"");
    if (at == std::string::npos) throw std::runtime_error("a multipart without its boundary: " + content_type);
    at += 10;
    auto delimiter = "\r\n--" + content_type.substr(at, content_type.find('"', at) - at);
    auto body = "\r\n" + message.substr(message.find("\r\n\r\n") + 4);
    for (auto start = body.find(delimiter); start != std::string::npos;) {
        start += delimiter.size();
        if (body.compare(start, 2, "--") == 0) break;  // the close delimiter
        start = body.find("\r\n", start) + 2;
        auto end = body.find(delimiter, start);
        if (end == std::string::npos) throw std::runtime_error("a part without the close delimiter");
        if (auto content = entity_content(body.substr(start, end - start), type); !content.empty()) return content;
        start = end;
    }
    return {};
}

// One connection at a time, blocking, on a thread of its own: the mailer
// sends one mail a connection, one after another.
struct smtp_receiver::impl {
    net::io_context ioc;
    tcp::acceptor acceptor{ioc, {net::ip::make_address("127.0.0.1"), 0}};
    std::thread thread;
    std::atomic<bool> stopping{false};
    mutable std::mutex mutex;
    std::condition_variable arrived;
    std::vector<received_mail> seen;

    static void say(tcp::socket& socket, const std::string& line) { net::write(socket, net::buffer(line + "\r\n")); }

    static std::string read_line(tcp::socket& socket, std::string& buffer) {
        auto n = net::read_until(socket, net::dynamic_buffer(buffer), "\r\n");
        auto line = buffer.substr(0, n - 2);
        buffer.erase(0, n);
        return line;
    }

    void session(tcp::socket& socket) {
        std::string buffer;
        say(socket, "220 test ESMTP");
        received_mail mail;
        for (;;) {
            auto line = read_line(socket, buffer);
            auto verb = lower(line.substr(0, 4));
            if (verb == "ehlo") {
                say(socket, "250-test");
                say(socket, "250 8BITMIME");
            } else if (verb == "mail") {
                mail = {};
                mail.from = address_in(line);
                say(socket, "250 OK");
            } else if (verb == "rcpt") {
                mail.to.push_back(address_in(line));
                say(socket, "250 OK");
            } else if (verb == "data") {
                say(socket, "354 go on");
                for (auto data_line = read_line(socket, buffer); data_line != "."; data_line = read_line(socket, buffer)) {
                    if (data_line.starts_with(".")) data_line.erase(0, 1);  // dot-stuffed
                    mail.data += data_line + "\r\n";
                }
                {
                    std::lock_guard lock(mutex);
                    seen.push_back(std::move(mail));
                }
                arrived.notify_all();
                say(socket, "250 queued");
            } else if (verb == "quit") {
                say(socket, "221 bye");
                return;
            } else {
                say(socket, "250 OK");  // HELO, RSET, NOOP
            }
        }
    }

    void serve() {
        while (!stopping) {
            tcp::socket socket(ioc);
            boost::system::error_code ec;
            acceptor.accept(socket, ec);
            if (ec || stopping) return;
            try {
                session(socket);
            } catch (const std::exception&) {
                // The client went away mid-mail.
            }
        }
    }
};

smtp_receiver::smtp_receiver() : impl_(std::make_shared<impl>()) {
    impl_->thread = std::thread([i = impl_] { i->serve(); });
}

smtp_receiver::~smtp_receiver() {
    impl_->stopping = true;
    try {  // wakes the accept
        tcp::socket knock(impl_->ioc);
        knock.connect(impl_->acceptor.local_endpoint());
    } catch (const std::exception&) {
    }
    impl_->thread.join();
}

std::string smtp_receiver::url() const {
    return "smtp://127.0.0.1:" + std::to_string(impl_->acceptor.local_endpoint().port());
}

std::vector<received_mail> smtp_receiver::wait_for(std::size_t count, std::chrono::milliseconds timeout) {
    std::unique_lock lock(impl_->mutex);
    if (!impl_->arrived.wait_for(lock, timeout, [&] { return impl_->seen.size() >= count; }))
        throw std::runtime_error("smtp_receiver: " + std::to_string(impl_->seen.size()) + " mails, not " +
                                 std::to_string(count) + ", after the wait");
    return impl_->seen;
}

std::vector<received_mail> smtp_receiver::mails() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->seen;
}

}  // namespace switchboard::test
