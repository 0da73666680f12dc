// SPEC §2's table, row by row, on the pure bot.
#include "switchboard/chat/bot.hpp"

#include "temp_dir.hpp"

#include <boost/test/unit_test.hpp>

#include <fstream>

using namespace switchboard::chat;

namespace {

conversation in_state(conv_state s, bool registered = false, std::string name = {}) {
    conversation c;
    c.phone = "15550001";
    c.state = s;
    c.registered = registered;
    c.name = std::move(name);
    return c;
}

bool contains(const std::vector<std::string>& replies, std::string_view needle) {
    for (auto& r : replies)
        if (r.find(needle) != std::string::npos) return true;
    return false;
}

const bot_texts texts;

}  // namespace

BOOST_AUTO_TEST_SUITE(bot)

BOOST_AUTO_TEST_CASE(idle_unrecognised_text_shows_the_same_menu) {
    for (auto text : {"hi", "hello there", "", "   ", "what?", "supportx"}) {
        BOOST_TEST_INFO("text '" << text << "'");
        auto c = in_state(conv_state::idle);
        auto d = bot_decide(c, text);
        BOOST_TEST((d.action == bot_action::show_menu));
        BOOST_TEST((d.next == conv_state::idle));
        auto replies = bot_replies(d, c, texts);
        BOOST_TEST(contains(replies, "support"));
        BOOST_TEST(contains(replies, "register"));  // unregistered users are offered registration
    }
}

// A reaction is for the agents in every state: no answer, no change, not
// even the name asked for or the rating.
BOOST_AUTO_TEST_CASE(a_reaction_is_left_to_the_agents) {
    for (auto state : {conv_state::idle, conv_state::registering, conv_state::chat_support_active, conv_state::rating}) {
        auto c = in_state(state);
        for (auto text : {"[reaction] 👍", "[reaction] 5", "[reaction] support"}) {
            auto d = bot_decide(c, text, "reaction");
            BOOST_TEST((d.action == bot_action::reaction));
            BOOST_TEST((d.next == state));
            BOOST_TEST(bot_replies(d, c, texts).empty());
        }
    }
    BOOST_TEST((bot_decide(in_state(conv_state::idle), "[system] User A changed from 1 to 2", "system").action ==
                bot_action::reaction));
    BOOST_TEST((bot_decide(in_state(conv_state::idle), "support", "text").action == bot_action::open_support));
}

BOOST_AUTO_TEST_CASE(registered_menu_greets_by_name) {
    auto c = in_state(conv_state::idle, true, "John");
    auto replies = bot_replies(bot_decide(c, "hi"), c, texts);
    BOOST_TEST(contains(replies, "Hi John! 💬"));
    BOOST_TEST(contains(replies, "support"));
    BOOST_TEST(!contains(replies, "register"));
}

BOOST_AUTO_TEST_CASE(register_asks_for_the_name) {
    auto d = bot_decide(in_state(conv_state::idle), "  REGISTER ");
    BOOST_TEST((d.action == bot_action::ask_name));
    BOOST_TEST((d.next == conv_state::registering));
    BOOST_TEST(contains(bot_replies(d, in_state(conv_state::registering), texts), "name"));
}

BOOST_AUTO_TEST_CASE(a_name_registers_and_greets) {
    auto c = in_state(conv_state::registering);
    auto d = bot_decide(c, "  John Smith ");
    BOOST_TEST((d.action == bot_action::register_name));
    BOOST_TEST((d.next == conv_state::idle));
    BOOST_TEST(d.name == "John Smith");
    c.name = d.name;
    c.registered = true;
    BOOST_TEST(contains(bot_replies(d, c, texts), "Hi John Smith!"));
}

BOOST_AUTO_TEST_CASE(names_are_1_to_64_characters_counted_as_code_points) {
    auto c = in_state(conv_state::registering);
    BOOST_TEST((bot_decide(c, std::string(64, 'a')).action == bot_action::register_name));
    BOOST_TEST((bot_decide(c, std::string(65, 'a')).action == bot_action::reject_name));
    BOOST_TEST((bot_decide(c, "   ").action == bot_action::reject_name));
    std::string accented;
    for (int i = 0; i < 64; ++i) accented += "é";  // 128 bytes, 64 characters
    BOOST_TEST((bot_decide(c, accented).action == bot_action::register_name));
    auto rejected = bot_decide(c, std::string(65, 'a'));
    BOOST_TEST((rejected.next == conv_state::registering));
}

BOOST_AUTO_TEST_CASE(support_opens_a_chat_from_idle_and_registering) {
    for (auto from : {conv_state::idle, conv_state::registering}) {
        auto c = in_state(from);
        auto d = bot_decide(c, "Support");
        BOOST_TEST((d.action == bot_action::open_support));
        BOOST_TEST((d.next == conv_state::chat_support_active));
        auto replies = bot_replies(d, c, texts, 3);
        BOOST_TEST(contains(replies, "support"));
        BOOST_TEST(contains(replies, "3"));  // the queue position
    }
}

BOOST_AUTO_TEST_CASE(end_chat_keywords_in_any_case_and_spacing) {
    for (auto text : {"end chat", "END CHAT", "  End   Chat ", "close", "Close", "done", "DONE ", "quit chat",
                      "Quit\tChat", "exit", " EXIT", "\nexit\r\n", "end\v\fchat"}) {
        BOOST_TEST_INFO("text '" << text << "'");
        auto d = bot_decide(in_state(conv_state::chat_support_active), text);
        BOOST_TEST((d.action == bot_action::end_support));
        BOOST_TEST((d.next == conv_state::rating));
        auto replies = bot_replies(d, in_state(conv_state::rating), texts);
        BOOST_TEST(contains(replies, "Chat support session ended"));
        BOOST_TEST(contains(replies, "1"));
        BOOST_TEST(contains(replies, "5"));
    }
}

BOOST_AUTO_TEST_CASE(anything_else_in_a_chat_goes_to_support_never_a_command) {
    for (auto text : {"hello", "support", "register", "menu", "end", "close please", "3"}) {
        BOOST_TEST_INFO("text '" << text << "'");
        auto d = bot_decide(in_state(conv_state::chat_support_active), text);
        BOOST_TEST((d.action == bot_action::chat_message));
        BOOST_TEST((d.next == conv_state::chat_support_active));
        BOOST_TEST(contains(bot_replies(d, in_state(conv_state::chat_support_active), texts),
                            "✓ Your message has been sent to support"));
    }
}

BOOST_AUTO_TEST_CASE(rating_1_to_5_is_stored_and_thanks_with_the_menu) {
    for (int score = 1; score <= 5; ++score) {
        auto d = bot_decide(in_state(conv_state::rating), " " + std::to_string(score) + " ");
        BOOST_TEST((d.action == bot_action::rate));
        BOOST_TEST(d.rating == score);
        BOOST_TEST((d.next == conv_state::idle));
        auto replies = bot_replies(d, in_state(conv_state::idle), texts);
        BOOST_TEST(contains(replies, "Thanks"));
        BOOST_TEST(contains(replies, "support"));  // and the menu
    }
}

BOOST_AUTO_TEST_CASE(anything_else_in_rating_is_idle_input) {
    BOOST_TEST((bot_decide(in_state(conv_state::rating), "6").action == bot_action::show_menu));
    BOOST_TEST((bot_decide(in_state(conv_state::rating), "0").action == bot_action::show_menu));
    BOOST_TEST((bot_decide(in_state(conv_state::rating), "great").action == bot_action::show_menu));
    BOOST_TEST((bot_decide(in_state(conv_state::rating), "support").action == bot_action::open_support));
    BOOST_TEST((bot_decide(in_state(conv_state::rating), "register").action == bot_action::ask_name));
    BOOST_TEST((bot_decide(in_state(conv_state::rating), "hi").next == conv_state::idle));
}

BOOST_AUTO_TEST_CASE(texts_load_from_json_and_bad_files_are_clear_errors) {
    switchboard::test::temp_dir dir;
    auto good = dir.path() / "texts.json";
    std::ofstream(good) << R"({"menu_unregistered": "Hola! Escribe support.", "message_sent": "Enviado ✓"})";
    auto t = bot_texts::load(good);
    BOOST_TEST(t.menu_unregistered == "Hola! Escribe support.");
    BOOST_TEST(t.message_sent == "Enviado ✓");
    BOOST_TEST(t.ask_name == bot_texts{}.ask_name);  // the rest stay default

    auto expect_error = [&](const std::string& content, const std::string& needle) {
        auto f = dir.path() / "bad.json";
        std::ofstream(f, std::ios::trunc) << content;
        try {
            bot_texts::load(f);
            BOOST_ERROR("no error for " << content);
        } catch (const std::runtime_error& e) {
            BOOST_TEST(std::string(e.what()).find(needle) != std::string::npos, e.what());
        }
    };
    expect_error("{not json", "not valid JSON");
    expect_error("[]", "JSON object");
    expect_error(R"({"menu": "x"})", "unknown key 'menu'");
    expect_error(R"({"ask_name": 3})", "'ask_name' must be a non-empty string");
    expect_error(R"({"button_rate": "Rate our team, please"})", "'button_rate' must be at most 20 characters");
    // Counted in characters, not bytes: 20 of them, 40 bytes.
    std::ofstream(good, std::ios::trunc) << R"({"button_support": "Поддержка поддержка"})";
    BOOST_TEST(bot_texts::load(good).button_support == "Поддержка поддержка");
    BOOST_CHECK_THROW(bot_texts::load(dir.path() / "missing.json"), std::runtime_error);
}

// A message's choices read back as the bot wrote them; anything else
// offers nothing, rather than half a list.
BOOST_AUTO_TEST_CASE(a_messages_choices_read_back_as_the_bot_wrote_them) {
    const bot_offer_set offers{texts};
    auto titles = [](std::string_view json) {
        std::string out;
        for (auto& c : offered_choices(json)) out += c.keyword + "=" + c.title + ";";
        return out;
    };
    BOOST_TEST(titles(offers.ratings()->json) == "1=1 ★;2=2 ★★;3=3 ★★★;4=4 ★★★★;5=5 ★★★★★;");
    BOOST_TEST(titles(R"([{"text":"support","title":"Hablar \"ya\""}])") == "support=Hablar \"ya\";");
    for (std::string_view bad : {"", "[", "{}", "[1]", R"([{"text":"support"}])", R"([{"text":1,"title":"One"}])",
                                 R"([{"text":"support","title":"Support"},"x"])"}) {
        BOOST_TEST_INFO("json '" << bad << "'");
        BOOST_TEST(offered_choices(bad).empty());
        BOOST_TEST(kept_choices(bad) == nullptr);
    }
    // Kept once: alike texts at one address, which the bot's own offers share.
    auto* kept = kept_choices(offers.ratings()->json);
    BOOST_TEST(kept != nullptr);
    BOOST_TEST(*kept == offers.ratings()->json);
    BOOST_TEST(kept == offers.ratings()->kept);
    BOOST_TEST(kept_choices(std::string(offers.ratings()->json)) == kept);
    BOOST_TEST(kept_choices(R"([{"text":"support","title":"Support"}])") != kept);
}

// The keywords a reply offers to tap: the menu's with a menu (register
// only until the user has), the ratings with the end of a chat, nothing
// else; none whose title an operator left empty.
BOOST_AUTO_TEST_CASE(the_menu_and_the_rating_question_offer_their_keywords) {
    auto keywords = [](const bot_choices* offered) {
        std::string out;
        if (!offered) return std::string("none");
        for (auto& c : offered->options) out += c.keyword + "=" + c.title + ";";
        return out;
    };
    const bot_offer_set offers{texts};
    auto stranger = in_state(conv_state::idle);
    auto known = in_state(conv_state::idle, true, "Ann");
    BOOST_TEST(keywords(offers.after(bot_decide(stranger, "hi"), stranger)) == "support=Support;register=Register;");
    BOOST_TEST(keywords(offers.after(bot_decide(known, "hi"), known)) == "support=Support;");
    auto naming = in_state(conv_state::registering);
    BOOST_TEST(keywords(offers.after(bot_decide(naming, "Ann"), known)) == "support=Support;");
    auto rating = in_state(conv_state::rating);
    BOOST_TEST(keywords(offers.after(bot_decide(rating, "5"), stranger)) == "support=Support;register=Register;");
    auto* ended = offers.after(bot_decide(in_state(conv_state::chat_support_active), "exit"), rating);
    BOOST_TEST(ended == offers.ratings());
    BOOST_TEST(ended->button == "Rate");
    BOOST_TEST(keywords(ended) == "1=1 ★;2=2 ★★;3=3 ★★★;4=4 ★★★★;5=5 ★★★★★;");
    BOOST_TEST(ended->delivery == R"({"button":"Rate","choices":)" + ended->json + "}");
    for (auto [state, text] : {std::pair{conv_state::idle, "register"}, {conv_state::idle, "support"},
                               {conv_state::chat_support_active, "hello"}, {conv_state::registering, ""}}) {
        BOOST_TEST_INFO("text '" << text << "'");
        auto c = in_state(state);
        BOOST_TEST(keywords(offers.after(bot_decide(c, text), c)) == "none");
    }
    bot_texts quiet_texts;
    quiet_texts.button_register.clear();
    quiet_texts.button_rate.clear();
    const bot_offer_set quiet{quiet_texts};
    BOOST_TEST(keywords(quiet.after(bot_decide(stranger, "hi"), stranger)) == "support=Support;");
    BOOST_TEST(keywords(quiet.ratings()) == "none");
    quiet_texts.button_support.clear();
    BOOST_TEST(keywords(bot_offer_set{quiet_texts}.after(bot_decide(stranger, "hi"), stranger)) == "none");
}

BOOST_AUTO_TEST_CASE(fill_replaces_every_placeholder) {
    BOOST_TEST(fill("{name} and {name}", "name", "Ann") == "Ann and Ann");
    BOOST_TEST(fill("no placeholder", "name", "Ann") == "no placeholder");
}

BOOST_AUTO_TEST_SUITE_END()
