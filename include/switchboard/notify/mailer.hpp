// E-mail for agents who are away, as Chatwoot's e-mail notifications: a
// notification kept for an agent with an address and no console open goes
// to them by SMTP (--smtp-url). libcurl speaks SMTP on a thread of the
// mailer's own, so a slow mail server holds up nothing else. Best effort:
// the inbox keeps every notification, and a mail the server will not take
// after a few tries is logged and counted; none waits across a restart.
#pragma once

#include "switchboard/core/time.hpp"
#include "switchboard/notify/notification.hpp"

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace switchboard::metrics {
class registry;
}

namespace switchboard::notify {

struct mailer_options {
    // smtp://host:587 (STARTTLS when the server offers it; required when
    // logging in) or smtps://host:465. Empty: no e-mail.
    std::string url;
    std::string username, password;  // empty: no login
    std::string from;                // "Switchboard <support@example.com>", or the address alone
    std::size_t queue_limit = 1000;  // mails waiting; more are dropped, and counted
    int attempts = 3;                // tries a mail gets, a second apart and then two
};

struct mail {
    std::string to;  // the address
    std::string subject;
    std::string body;  // plain text, UTF-8, lines joined by \n
    // The same as a web page, for the mail programs that show one (none:
    // the text alone). Sent as the text's alternative, in base64: a long
    // line of it is never cut.
    std::string html;
};

// The e-mail that tells the agent at `to` of `n`, with a link that opens
// its conversation in the console at `console_url`.
mail notification_mail(const notification& n, std::string_view to, std::string_view console_url);

// `console_url` with `fragment` (after its '#'): where the console opens at it.
std::string console_link(std::string_view console_url, std::string_view fragment);

// The mails that let an agent choose a password (auth/password_link.hpp):
// "Forgot your password?", and an admin's invitation by `invited_by`. Each
// has the link `url` to the console's password form, and how long it lasts.
mail password_reset_mail(std::string_view to, std::string_view name, std::string_view username, std::string_view url);
mail invitation_mail(std::string_view to, std::string_view name, std::string_view username,
                     std::string_view invited_by, std::string_view url);

// What an agent is told of a change to their account's security (their
// password changed, two-factor authentication turned off, a recovery code
// used), at `at`, asked from `address` (empty: not known): a change they
// did not make is how they learn someone else has their account.
mail account_notice_mail(std::string_view to, std::string_view name, std::string_view username, std::string_view what,
                         timestamp at, std::string_view address);

// The message as it goes on the wire: RFC 5322 headers (a subject outside
// ASCII as an RFC 2047 word), then the body, lines ending CRLF; with
// `html`, a multipart/alternative of the text and the page (RFC 2046).
std::string wire_message(const mail& m, std::string_view from, timestamp at, std::string_view message_id);

// Which notifications an away agent is mailed: every mention, chat handed
// to them and target missed; of a followed conversation's messages, the
// first of each `quiet` (a chatty user in a followed conversation would
// send a mail a line). Not thread-safe: asked on one strand.
class mail_pacer {
public:
    explicit mail_pacer(std::chrono::seconds quiet = std::chrono::minutes(10)) : quiet_(quiet) {}
    bool due(const notification& n);

private:
    std::chrono::seconds quiet_;
    // (agent, conversation) → when its last message mail went.
    std::map<std::pair<std::string, std::string>, timestamp> last_;
};

// The address in "Name <address>", or the text itself when it has no brackets.
std::string_view bare_address(std::string_view from);

class mailer {
public:
    mailer(mailer_options options, metrics::registry& metrics);
    ~mailer();  // stop()s
    mailer(const mailer&) = delete;
    mailer& operator=(const mailer&) = delete;

    bool enabled() const;
    // Queued for the mailer's thread; false when it is full or stopped
    // (the mail is dropped, and counted). Thread-safe.
    bool send(mail m);
    // Drops what waits and cuts a mail under way short; returns once the
    // thread is gone.
    void stop();

    struct impl;

private:
    std::unique_ptr<impl> impl_;
};

}  // namespace switchboard::notify
