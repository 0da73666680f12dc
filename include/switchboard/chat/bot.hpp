// The bot: a pure function from (conversation, user text) to a decision, and
// the texts it answers with. No I/O, no clock: unit-tested row by row.
#pragma once

#include "switchboard/chat/conversation.hpp"

#include <boost/json/fwd.hpp>

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::chat {

// Every text the bot sends; an operator overrides any of them from a JSON
// file (`--bot-texts`). `{name}`, `{position}`, `{agent}` and `{opens}` are filled in.
struct bot_texts {
    std::string menu_unregistered =
        "Welcome! Reply *support* to chat with a person, or *register* to tell us your name.";
    std::string menu_registered = "Hi {name}! 💬 Reply *support* to chat with a person.";
    std::string ask_name = "What's your name?";
    std::string bad_name = "Please send a name of 1 to 64 characters.";
    std::string registered = "Hi {name}! 💬 Nice to meet you. Reply *support* any time to chat with a person.";
    std::string support_connecting = "Connecting you to support… You are number {position} in the queue.";
    // Added to support_connecting when no agent is online and available to
    // answer; empty: never said.
    std::string support_offline =
        "No one from our team is online right now. You keep your place, and we'll answer here as soon as someone is back.";
    // Added to support_connecting, in place of support_offline, outside
    // business hours (`--business-hours`); `{opens}` is when they start
    // again ("tomorrow at 09:00 CET"). Empty: never said.
    std::string support_closed =
        "We're away right now and back {opens}. You keep your place, and we'll answer here then.";
    std::string support_assigned = "You're now chatting with {agent}.";
    std::string queue_moved = "You're now number {position} in the queue.";
    std::string message_sent = "✓ Your message has been sent to support";
    std::string chat_ended =
        "Chat support session ended. How would you rate our support? Reply with a number from 1 (poor) to 5 (great).";
    std::string rating_thanks = "Thanks for your feedback!";
    std::string idle_timeout = "Your chat with support was closed after a period of inactivity.";
    // The titles of the buttons that offer a keyword with the menu (`choices`
    // in a plain webhook's answer; WhatsApp's reply buttons with
    // --wa-buttons), and of the list that offers the ratings with chat_ended. Empty: not offered, the text
    // alone asks. At most 20 characters each (WhatsApp's limit).
    std::string button_support = "Support";
    std::string button_register = "Register";
    std::string button_rate = "Rate";

    // Throws std::runtime_error naming the file and the problem: a malformed
    // file is a start-up error, never silently ignored.
    static bot_texts load(const std::filesystem::path& file);
};

// Replaces each `{key}` in `tmpl`.
std::string fill(std::string_view tmpl, std::string_view key, std::string_view value);

enum class bot_action {
    show_menu,       // unrecognised input outside a chat
    ask_name,        // `register`
    reject_name,     // a name outside 1–64 characters
    register_name,   // the name arrives
    open_support,    // `support`
    chat_message,    // anything during a chat: for the agents
    end_support,     // an end-chat keyword
    rate,            // 1–5 in RATING
    reaction,        // a WhatsApp reaction or notice (a new number): for the agents; no answer, no change
};

struct bot_decision {
    bot_action action = bot_action::show_menu;
    conv_state next = conv_state::idle;
    std::string name;  // register_name: the trimmed name
    int rating = 0;    // rate: 1–5
};

// SPEC §2: keywords are matched case-insensitively on the trimmed text.
// A reaction or WhatsApp's notice of a new number (`kind`) is no text
// typed: the bot leaves it to the agents, whatever the state, so a 👍 on
// its menu does not bring the menu again.
bot_decision bot_decide(const conversation& c, std::string_view text, std::string_view kind = "text");

// What the user reads after `d` has been carried out. `queue_position` is the
// place the chat took in the queue (open_support); `name` the user's name
// after the step.
std::vector<std::string> bot_replies(const bot_decision& d, const conversation& after, const bot_texts& texts,
                                     std::size_t queue_position = 0);

// Keywords a user may tap rather than type, offered with a reply: WhatsApp
// shows up to three as reply buttons, more as a list opened by `button`.
// Each is sent back as its keyword (`support`, `4`), so the bot reads a tap
// as it reads the word.
struct bot_choice {
    std::string keyword;
    std::string title;
};
struct bot_choices {
    std::string button;  // the list's button, for more than three
    std::vector<bot_choice> options;
    // As the answers carry them, written once: every menu a webhook answers
    // has them. `json` the options, [{"text":"support","title":"Support"}]
    // (`text` being what the user sends back); `delivery` the outbox's
    // record of them, {"button":…,"choices":<json>}. `kept` is `json` as a
    // message points at it (kept_choices).
    std::string json, delivery;
    const std::string* kept = nullptr;
    bool empty() const { return options.empty(); }
};

// The choices a message offered (message::choices) read back: none when
// `json` is not an array of {"text","title"} strings, as a row edited by
// hand might be.
std::vector<bot_choice> offered_choices(std::string_view json);
std::vector<bot_choice> offered_choices(const boost::json::value& choices);
std::vector<bot_choice> offered_choices(const message& m);

// The one copy the process keeps of these choices (message::choices),
// alike texts at one address; null when `json` offers none. Never freed:
// a process meets a handful, the menus and the rating question of its bot
// texts (and of the texts its stored history was written with). Safe from
// any thread.
const std::string* kept_choices(std::string_view json);

// What each reply offers, made once from the texts.
class bot_offer_set {
public:
    explicit bot_offer_set(const bot_texts& texts);
    // What the last of bot_replies(d, after, …) offers: the menu's keywords
    // with the menu, the ratings with chat_ended. Null for nothing.
    const bot_choices* after(const bot_decision& d, const conversation& after) const;
    // The ratings, 1 to 5, offered when a chat ends (an agent's end too); null when none are.
    const bot_choices* ratings() const { return or_null(ratings_); }

private:
    static const bot_choices* or_null(const bot_choices& c) { return c.empty() ? nullptr : &c; }
    bot_choices stranger_menu_, registered_menu_, ratings_;
};

// ASCII white space off both ends, as keywords are matched.
std::string_view trim(std::string_view s);

// The trimmed, lower-cased text with inner white space folded to one space.
std::string normalize_keyword(std::string_view text);

}  // namespace switchboard::chat
