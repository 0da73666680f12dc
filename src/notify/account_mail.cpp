// The mails about an agent's own account: the links that let them choose a
// password (the link is the secret, so the mail says what it is for and
// what to do if it was not asked for), and the notice of a change to its
// security.
#include "switchboard/notify/mailer.hpp"

#include "switchboard/core/time.hpp"

namespace switchboard::notify {

namespace {

std::string greeting(std::string_view name, std::string_view username) {
    return "Hello " + std::string(name.empty() ? username : name) + ",\n\n";
}

constexpr std::string_view signature = "\n\n-- \nSwitchboard";

}  // namespace

mail password_reset_mail(std::string_view to, std::string_view name, std::string_view username, std::string_view url) {
    mail m{std::string(to), "Choose a new Switchboard password", greeting(name, username)};
    m.body += "Someone, most likely you, asked for a new password for your Switchboard account, " +
              std::string(username) + ". To choose one, open this link within an hour:\n\n" + std::string(url) +
              "\n\nIt works once. If you did not ask for it, ignore this mail: your password stays as it is.";
    m.body += signature;
    return m;
}

mail invitation_mail(std::string_view to, std::string_view name, std::string_view username,
                     std::string_view invited_by, std::string_view url) {
    mail m{std::string(to), std::string(invited_by) + " invited you to Switchboard", greeting(name, username)};
    m.body += std::string(invited_by) + " invited you to answer chats on Switchboard. Your username is " +
              std::string(username) + ". To choose your password, open this link within 7 days:\n\n" +
              std::string(url) + "\n\nIt works once.";
    m.body += signature;
    return m;
}

mail account_notice_mail(std::string_view to, std::string_view name, std::string_view username, std::string_view what,
                         timestamp at, std::string_view address) {
    mail m{std::string(to), "Switchboard: " + std::string(what), greeting(name, username)};
    m.body += std::string(what) + " (your account " + std::string(username) + ", " + utc_minute_text(at) +
              (address.empty() ? std::string() : ", from " + std::string(address)) +
              ").\n\nIf it was you, there is nothing to do. If it was not, tell an admin at once: they can set a new "
              "password for you, which logs out whoever is in your account.";
    m.body += signature;
    return m;
}

}  // namespace switchboard::notify
