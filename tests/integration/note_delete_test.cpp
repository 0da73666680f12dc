// DELETE /conversations/{phone}/notes/{seq} against the real server: a
// private note's writer or an admin deletes it; its text goes from the
// history, the search, the mentions it made, the event log and the
// database, for good, and its place in the history stays; the consoles
// are told.
#include "api_session.hpp"
#include "refusals.hpp"
#include "server_process.hpp"
#include "sqlite_probe.hpp"
#include "temp_dir.hpp"
#include "ws_client.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <csignal>
#include <fstream>
#include <iterator>

using namespace switchboard::test;
namespace json = boost::json;

namespace {

bool mentions(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }

// The conversation's message of `seq`, as its history lists it.
json::object message_at(const api_client& agent, const std::string& phone, std::int64_t seq) {
    auto c = agent.json("GET", "/conversations/" + phone);  // named: a range-for over its member would outlive it
    for (auto& m : c.at("messages").as_array())
        if (m.at("seq").as_int64() == seq) return m.as_object();
    BOOST_FAIL("no message " << seq << " in " << phone);
    return {};
}

// The note's message.created as a console resuming from the start reads
// it: from the hub's ring, or after a restart from the stored log.
json::object note_event_resumed(unsigned short port, const api_client& agent, std::int64_t seq) {
    ws_client ws(port, "/ws?token=" + agent.token);
    ws.next_of_type("hello");
    ws.send(R"({"type":"resume","after":0})");
    for (int i = 0; i < 20; ++i) {
        auto e = ws.next_of_type("message.created");
        if (e.at("data").at("seq").as_int64() == seq) return e;
    }
    BOOST_FAIL("no message.created of " << seq << " in the first 20");
    return {};
}

std::size_t found_by(const api_client& agent, const std::string& words) {
    return agent.json("GET", "/conversations?q=" + words).at("conversations").as_array().size();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(note_delete)

BOOST_AUTO_TEST_CASE(a_notes_writer_or_an_admin_deletes_it_and_its_text_goes_everywhere) {
    temp_dir data;
    auto args = kept_in(data.path());
    std::int64_t seq = 0, kept_seq = 0;
    {
        server_process server(args);
        auto p = server.port();
        auto admin = known_admin(p);
        auto bob = agent_client(admin, "bob");
        auto carol = agent_client(admin, "carol");
        user_says(p, "15550601", "support", "Ana");
        bob.json("POST", "/conversations/15550601/chat-support/start");
        auto note = bob.json("POST", "/conversations/15550601/notes", R"({"text":"@carol the door code is 7731"})", 201);
        seq = note.at("seq").as_int64();
        auto other = bob.json("POST", "/conversations/15550601/notes", R"({"text":"she asked twice"})", 201);
        kept_seq = other.at("seq").as_int64();
        BOOST_TEST(!note.as_object().contains("deleted"));
        BOOST_TEST(found_by(admin, "7731") == 1u);
        BOOST_TEST(carol.json("GET", "/notifications").at("unread").as_int64() == 1);
        ws_client ws(p, "/ws?token=" + carol.token);
        ws.next_of_type("hello");
        auto path = "/conversations/15550601/notes/" + std::to_string(seq);

        // Not carol's note; no note of these; nothing changed by any of them.
        refused(carol.call("DELETE", path), 403, "forbidden", "only bob or an admin");
        refused(bob.call("DELETE", "/conversations/15550601/notes/1"), 404, "not_found", "no note 1 in 15550601");
        refused(bob.call("DELETE", "/conversations/15550601/notes/999"), 404, "not_found", "no note 999");
        refused(bob.call("DELETE", "/conversations/15550601/notes/x"), 404, "not_found", "no note x");
        refused(bob.call("DELETE", "/conversations/15550699/notes/1"), 404, "not_found", "15550699");
        BOOST_TEST(message_at(admin, "15550601", seq).at("text").as_string() == "@carol the door code is 7731");

        auto deleted = bob.json("DELETE", path);
        BOOST_TEST(deleted.at("seq").as_int64() == seq);
        BOOST_TEST(deleted.at("type").as_string() == "note");
        BOOST_TEST(deleted.at("text").as_string() == "");
        BOOST_TEST(deleted.at("deleted").as_bool());
        BOOST_TEST(deleted.at("agent").as_string() == "bob");
        auto told = ws.next_of_type("message.updated");
        BOOST_TEST(told.at("conversation").as_string() == "15550601");
        BOOST_TEST(told.at("data").at("seq").as_int64() == seq);
        BOOST_TEST(told.at("data").at("deleted").as_bool());
        BOOST_TEST(told.at("data").at("text").as_string() == "");

        auto listed = message_at(admin, "15550601", seq);
        BOOST_TEST(listed.at("deleted").as_bool());
        BOOST_TEST(listed.at("text").as_string() == "");
        BOOST_TEST(message_at(admin, "15550601", kept_seq).at("text").as_string() == "she asked twice");
        BOOST_TEST(found_by(admin, "7731") == 0u);
        BOOST_TEST(found_by(admin, "asked%20twice") == 1u);
        // The event that announced it, kept for consoles that resume, no longer holds its words.
        auto announced = note_event_resumed(p, carol, seq);
        BOOST_TEST(announced.at("data").at("deleted").as_bool());
        BOOST_TEST(!mentions(json::serialize(announced), "7731"));
        // carol's mention stays, unread, without the note's words.
        auto inbox = carol.json("GET", "/notifications");
        BOOST_TEST(inbox.at("unread").as_int64() == 1);
        auto& mention = inbox.at("notifications").as_array().at(0);
        BOOST_TEST(mention.at("type").as_string() == "mention");
        BOOST_TEST(mention.at("seq").as_int64() == seq);
        BOOST_TEST(mention.at("text").as_string() == "");
        auto audit = admin.json("GET", "/audit-log").at("entries").as_array().at(0);
        BOOST_TEST(audit.at("action").as_string() == "note.deleted");
        BOOST_TEST(audit.at("actor").as_string() == "bob");
        BOOST_TEST(audit.at("target").as_string() == "15550601");
        BOOST_TEST(audit.at("details").at("seq").as_int64() == seq);
        BOOST_TEST(audit.at("details").at("writer").as_string() == "bob");
        BOOST_TEST(!mentions(json::serialize(audit), "7731"));
        auto transcript = admin.call("GET", "/conversations/15550601/transcript").body;
        BOOST_TEST(mentions(transcript, "Agent bob (private note, deleted): \n"), transcript);
        BOOST_TEST(!mentions(transcript, "7731"), transcript);

        refused(bob.call("DELETE", path), 404, "not_found", "deleted already");
        // An admin deletes anyone's.
        auto by_admin = admin.json("DELETE", "/conversations/15550601/notes/" + std::to_string(kept_seq));
        BOOST_TEST(by_admin.at("deleted").as_bool());
        BOOST_TEST(admin.json("GET", "/audit-log").at("entries").as_array().at(0).at("actor").as_string() == "admin");
        server.send_signal(SIGTERM);
        BOOST_TEST_REQUIRE(server.wait_exit(std::chrono::seconds(10)).has_value());
    }
    auto db = data.path() / "switchboard.db";
    // Not in the files' bytes either: the store has SQLite zero what it deletes (secure_delete).
    for (const char* file : {"switchboard.db", "search.db"}) {
        std::ifstream in(data.path() / file, std::ios::binary);
        std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        BOOST_TEST(bytes.size() > 0u, file);
        BOOST_TEST(!mentions(bytes, "door code is 7731"), file);
    }
    BOOST_TEST(sqlite_value(db, "SELECT count(*) FROM messages WHERE text LIKE '%7731%'") == "0");
    BOOST_TEST(sqlite_value(db, "SELECT count(*) FROM notifications WHERE text LIKE '%7731%'") == "0");
    BOOST_TEST(sqlite_value(db, "SELECT count(*) FROM messages WHERE phone = '15550601' AND seq = " +
                                    std::to_string(seq)) == "1");
    server_process server(args);
    auto admin = known_admin(server.port());
    BOOST_TEST(message_at(admin, "15550601", seq).at("deleted").as_bool());
    BOOST_TEST(found_by(admin, "7731") == 0u);
    auto stored = note_event_resumed(server.port(), admin, seq);  // from the stored log: the ring is new
    BOOST_TEST(stored.at("data").at("deleted").as_bool());
    BOOST_TEST(!mentions(json::serialize(stored), "7731"));
    BOOST_TEST(found_by(admin, "asked%20twice") == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
