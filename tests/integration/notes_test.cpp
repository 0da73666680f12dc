// DELETE and PATCH /conversations/{phone}/notes/{seq} against the real
// server: a private note's writer or an admin deletes it, and its writer
// edits it; its old text goes from the history, the search, the mentions
// it made, the event log and the database, for good, and its place in the
// history stays; the consoles are told.
#include "api_session.hpp"
#include "refusals.hpp"
#include "server_process.hpp"
#include "sqlite_probe.hpp"
#include "temp_dir.hpp"
#include "threads_named.hpp"
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

BOOST_AUTO_TEST_SUITE(note_edit)

BOOST_AUTO_TEST_CASE(a_notes_writer_edits_it_and_its_new_words_replace_the_old_everywhere) {
    temp_dir data;
    auto args = kept_in(data.path());
    std::int64_t seq = 0;
    std::string edited_at;
    {
        server_process server(args);
        auto p = server.port();
        auto admin = known_admin(p);
        auto bob = agent_client(admin, "bob");
        auto carol = agent_client(admin, "carol");
        auto dave = agent_client(admin, "dave");
        user_says(p, "15550611", "support", "Ana");
        auto note = bob.json("POST", "/conversations/15550611/notes", R"({"text":"@carol the gate code is 4417"})", 201);
        seq = note.at("seq").as_int64();
        BOOST_TEST(!note.as_object().contains("edited_at"));
        // The search index holds the note before its edit: the new words must be filed anew, not read from the table.
        auto row = std::stoll(sqlite_value(data.path() / "switchboard.db",
                                           "SELECT rowid FROM messages WHERE phone = '15550611' AND seq = " +
                                               std::to_string(seq)));
        BOOST_TEST_REQUIRE(within(std::chrono::seconds(30), [&] {
            return std::stoll(sqlite_value(data.path() / "search.db", "SELECT upto FROM indexed")) >= row;
        }));
        BOOST_TEST(carol.json("GET", "/notifications").at("unread").as_int64() == 1);
        auto path = "/conversations/15550611/notes/" + std::to_string(seq);

        // Its writer's alone, an admin's neither; text as a note's; no note there.
        refused(carol.call("PATCH", path, R"({"text":"mine now"})"), 403, "forbidden", "only bob can edit");
        refused(admin.call("PATCH", path, R"({"text":"mine now"})"), 403, "forbidden", "only bob can edit");
        refused(bob.call("PATCH", path, R"({"text":"   "})"), 400, "invalid_field", "text");
        refused(bob.call("PATCH", path, R"({})"), 400, "invalid_field", "text is required");
        refused(bob.call("PATCH", path, R"({"text":7})"), 400, "invalid_field", "text");
        refused(bob.call("PATCH", path, R"({"text":"ok","client_id":"x"})"), 400, "invalid_field", "unknown field client_id");
        refused(bob.call("PATCH", path, "[]"), 400, "invalid_field", "body must be a JSON object");
        refused(bob.call("PATCH", path, R"({"text":")" + std::string(4097, 'x') + R"("})"), 400, "invalid_field",
                "1 to 4096 characters");
        refused(bob.call("PATCH", "/conversations/15550611/notes/1", R"({"text":"x"})"), 404, "not_found", "no note 1");
        refused(bob.call("PATCH", "/conversations/15550699/notes/1", R"({"text":"x"})"), 404, "not_found", "15550699");
        BOOST_TEST(message_at(admin, "15550611", seq).at("text").as_string() == "@carol the gate code is 4417");
        // The same words: nothing to change, nothing told or audited.
        auto same = bob.json("PATCH", path, R"({"text":" @carol the gate code is 4417 "})");
        BOOST_TEST(!same.as_object().contains("edited_at"));
        BOOST_TEST(admin.json("GET", "/audit-log").at("entries").as_array().at(0).at("action").as_string() !=
                   "note.edited");

        ws_client ws(p, "/ws?token=" + carol.token);
        ws.next_of_type("hello");
        auto edited = bob.json("PATCH", path, R"({"text":"@carol @dave the gate code is 5528\nnot 4417s"})");
        BOOST_TEST(edited.at("seq").as_int64() == seq);
        BOOST_TEST(edited.at("text").as_string() == "@carol @dave the gate code is 5528\nnot 4417s");
        BOOST_TEST(edited.at("agent").as_string() == "bob");
        BOOST_TEST(edited.at("timestamp") == note.at("timestamp"));  // its place in the history kept
        BOOST_TEST(!edited.as_object().contains("deleted"));
        edited_at = std::string(edited.at("edited_at").as_string());
        BOOST_TEST(edited_at >= std::string(note.at("timestamp").as_string()));
        auto told = ws.next_of_type("message.updated");
        BOOST_TEST(told.at("data").at("seq").as_int64() == seq);
        BOOST_TEST(told.at("data").at("text") == edited.at("text"));
        BOOST_TEST(told.at("data").at("edited_at").as_string() == edited_at);
        // dave, called anew, is told and follows it; carol is not told again.
        auto followers = ws.next_of_type("conversation.updated").at("data").at("participants");
        BOOST_TEST(json::serialize(followers) == R"(["carol","dave"])");
        auto daves = dave.json("GET", "/notifications");
        BOOST_TEST(daves.at("unread").as_int64() == 1);
        BOOST_TEST(daves.at("notifications").as_array().at(0).at("text") == edited.at("text"));
        auto carols = carol.json("GET", "/notifications");
        BOOST_TEST(carols.at("unread").as_int64() == 1);
        BOOST_TEST(carols.at("notifications").as_array().size() == 1u);
        BOOST_TEST(carols.at("notifications").as_array().at(0).at("text") == edited.at("text"));

        auto listed = message_at(admin, "15550611", seq);
        BOOST_TEST(listed.at("text") == edited.at("text"));
        BOOST_TEST(listed.at("edited_at").as_string() == edited_at);
        BOOST_TEST(found_by(admin, "5528") == 1u);
        BOOST_TEST(found_by(admin, "code%20is%204417") == 0u);
        auto announced = note_event_resumed(p, carol, seq);
        BOOST_TEST(announced.at("data").at("text") == edited.at("text"));
        BOOST_TEST(!mentions(json::serialize(announced), "code is 4417"));
        auto audit = admin.json("GET", "/audit-log").at("entries").as_array().at(0);
        BOOST_TEST(audit.at("action").as_string() == "note.edited");
        BOOST_TEST(audit.at("actor").as_string() == "bob");
        BOOST_TEST(audit.at("details").at("seq").as_int64() == seq);
        BOOST_TEST(!mentions(json::serialize(audit), "5528"));
        auto transcript = admin.call("GET", "/conversations/15550611/transcript").body;
        BOOST_TEST(mentions(transcript, "Agent bob (private note, edited): @carol @dave the gate code is 5528"), transcript);
        server.send_signal(SIGTERM);
        BOOST_TEST_REQUIRE(server.wait_exit(std::chrono::seconds(10)).has_value());
    }
    auto db = data.path() / "switchboard.db";
    for (const char* file : {"switchboard.db", "search.db"}) {  // zeroed where they were (secure_delete)
        std::ifstream in(data.path() / file, std::ios::binary);
        std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (std::string_view(file) == "switchboard.db") BOOST_TEST(mentions(bytes, "code is 5528"), file);
        BOOST_TEST(!mentions(bytes, "code is 4417"), file);
    }
    BOOST_TEST(sqlite_value(db, "SELECT count(*) FROM messages WHERE text LIKE '%code is 4417%'") == "0");
    BOOST_TEST(sqlite_value(db, "SELECT count(*) FROM notifications WHERE text LIKE '%code is 4417%'") == "0");
    {
        server_process server(args);
        auto admin = known_admin(server.port());
        auto listed = message_at(admin, "15550611", seq);
        BOOST_TEST(listed.at("text").as_string() == "@carol @dave the gate code is 5528\nnot 4417s");
        BOOST_TEST(listed.at("edited_at").as_string() == edited_at);
        BOOST_TEST(found_by(admin, "5528") == 1u);
        BOOST_TEST(found_by(admin, "code%20is%204417") == 0u);
        // Deleted, it shows no edit: its words and when they changed go together.
        api_client bob{server.port(), login(server.port(), "bob", "secret-bob")};
        auto deleted = bob.json("DELETE", "/conversations/15550611/notes/" + std::to_string(seq));
        BOOST_TEST(deleted.at("deleted").as_bool());
        BOOST_TEST(!deleted.as_object().contains("edited_at"));
        BOOST_TEST(!message_at(admin, "15550611", seq).contains("edited_at"));
        refused(bob.call("PATCH", "/conversations/15550611/notes/" + std::to_string(seq), R"({"text":"back"})"), 404,
                "not_found", "deleted already");
        server.send_signal(SIGTERM);
        BOOST_TEST_REQUIRE(server.wait_exit(std::chrono::seconds(10)).has_value());
    }
    BOOST_TEST(sqlite_value(db, "SELECT count(*) FROM message_edits") == "0");
}

// In memory the edit is kept in the message as packed (the SQLite store's
// is a table of its own): read back the same.
BOOST_AUTO_TEST_CASE(an_edit_is_kept_in_memory_too) {
    server_process server({"--port", "0", "--data", ":memory:"});
    auto admin = admin_client(server);
    user_says(server.port(), "15550612", "hi", "Ana");
    auto note = admin.json("POST", "/conversations/15550612/notes", R"({"text":"first words"})", 201);
    auto path = "/conversations/15550612/notes/" + std::to_string(note.at("seq").as_int64());
    auto edited = admin.json("PATCH", path, R"({"text":"second words"})");
    auto listed = message_at(admin, "15550612", note.at("seq").as_int64());
    BOOST_TEST(listed.at("text").as_string() == "second words");
    BOOST_TEST(listed.at("edited_at") == edited.at("edited_at"));
    BOOST_TEST(found_by(admin, "second") == 1u);
    BOOST_TEST(found_by(admin, "first%20words") == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
