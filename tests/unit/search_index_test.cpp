// The SQLite store's search index: searches find what a read of every
// message finds, whether the index holds none, all or part of them; it is
// read for the rows it holds; and one that does not belong to the database
// is made again.
#include "switchboard/store/store.hpp"

#include "../../src/store/schema.hpp"
#include "../../src/store/search_index.hpp"

#include "sqlite_probe.hpp"
#include "store_write.hpp"
#include "temp_dir.hpp"
#include "threads_named.hpp"
#include "switchboard/core/ascii_case.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <cerrno>
#include <sched.h>
#include <sys/resource.h>
#include <thread>

using namespace switchboard;

namespace {

using test::write;

chat::message said(const std::string& phone, std::uint64_t seq, chat::sender from, std::string text) {
    chat::message m;
    m.id = "m_" + phone + "_" + std::to_string(seq);
    m.phone = phone;
    m.seq = seq;
    m.from = from;
    m.text = std::move(text);
    m.at = from_unix_ms(1763900000000 + static_cast<std::int64_t>(seq));
    m.status = chat::message_status::delivered;
    return m;
}

// The messages written so far, in the order written, and what a search of
// them must find: each conversation's newest message from the user or an
// agent that holds the text (ASCII case-insensitive, as typed), those with
// the latest matches first, at most `limit`.
struct written_messages {
    std::vector<chat::message> all;

    std::map<std::string, std::uint64_t> expected(std::string_view text, std::size_t limit) const {
        auto needle = ascii_lowered(std::string(text));
        std::map<std::string, std::uint64_t> found;
        for (auto m = all.rbegin(); m != all.rend(); ++m) {
            if (m->from == chat::sender::bot || !contains_ignoring_case(m->text, needle)) continue;
            if (found.contains(m->phone)) continue;
            if (found.size() == limit) break;
            found[m->phone] = m->seq;
        }
        return found;
    }
};

std::map<std::string, std::uint64_t> search(const store::store& db, std::string_view text, std::size_t limit) {
    std::map<std::string, std::uint64_t> found;
    for (auto& m : db.text_matches(text, limit, {})) found[m.phone] = m.seq;
    return found;
}

// Texts put together from pieces that searches ask for in every case.
const std::vector<std::string> pieces = {
    "Refund",  "refund",   "REFUND", "parcel", "Parcel 77", "order 77", "100%",  "50_off",  "a\\b",
    "École",   "école",    "ÉCOLE",  "naïve",  "日本語",    "💬 hi",    "ab",    "x",       "late again",
    "%",       "_",        "lat",    "efu",    "77 ",       " is ",     "O",     "Ünïcode", "straße",
    "100 percent", "1000", "50 off", "50-off"};

const std::vector<std::string> queries = {
    "refund", "REFUND", "Parcel", "parcel 7", "order 77", "100%", "0%", "50_off", "0_o", "a\\b", "\\", "École",
    "école", "ÉCO", "naïve", "日本", "日本語", "💬", "ab", "x", "late", "lat", "efu", "77 ", " is ", "%", "_", "o",
    "nothing here", "straße", "ünïcode", "Ünïcode", "d 7"};

std::string random_text(std::mt19937& random) {
    std::string text;
    auto words = std::uniform_int_distribution<int>(1, 4)(random);
    for (int i = 0; i < words; ++i) {
        if (i) text += ' ';
        text += pieces[std::uniform_int_distribution<std::size_t>(0, pieces.size() - 1)(random)];
    }
    return text;
}

// `count` messages in conversations 1555000{0..19}, one in four the bot's.
void write_random(store::store& db, written_messages& written, std::mt19937& random, int count,
                  std::map<std::string, std::uint64_t>& last_seq) {
    store::write_batch b;
    for (int i = 0; i < count; ++i) {
        auto phone = "1555000" + std::to_string(std::uniform_int_distribution<int>(0, 19)(random));
        auto from = std::uniform_int_distribution<int>(0, 3)(random) == 0 ? chat::sender::bot
                    : std::uniform_int_distribution<int>(0, 1)(random) ? chat::sender::user
                                                                       : chat::sender::admin;
        auto m = said(phone, ++last_seq[phone], from, random_text(random));
        written.all.push_back(m);
        b.messages.push_back(std::move(m));
    }
    write(db, std::move(b));
}

void every_search_finds_what_it_should(const store::store& db, const written_messages& written,
                                       const std::string& when) {
    for (auto& q : queries)
        for (std::size_t limit : {1u, 3u, 50u})
            BOOST_TEST((search(db, q, limit) == written.expected(q, limit)),
                       "\"" << q << "\" at limit " << limit << ", " << when);
}

// policies_of_threads_named once it is `policies`, or after 30 s (a
// thread at the lowest priority waits for a slice on a busy machine).
std::vector<int> wait_for_threads_named(const std::string& name, const std::vector<int>& policies) {
    std::vector<int> now;
    test::within(std::chrono::seconds(30), [&] { return (now = test::policies_of_threads_named(name)) == policies; });
    return now;
}

// A database whose store keeps no index of its own, for the indexes a
// test makes of it: where they are, and the schema they are made for.
struct database_without_index {
    test::temp_dir dir;
    std::unique_ptr<store::store> db = store::open_sqlite_store(dir.path().string(), {.search_index = false});
    std::filesystem::path database = dir.path() / "switchboard.db", index = dir.path() / "search.db";
    int schema = store::current_schema_version();
};

}  // namespace

BOOST_AUTO_TEST_SUITE(search_index_suite)

BOOST_AUTO_TEST_CASE(searches_find_the_same_with_the_index_holding_none_all_or_part) {
    test::temp_dir dir;
    auto db = store::open_sqlite_store(dir.path().string());
    std::mt19937 random(20261204);
    written_messages written;
    std::map<std::string, std::uint64_t> last_seq;
    // Several batches: the index takes a thousand rows at a time.
    for (int i = 0; i < 3; ++i) write_random(*db, written, random, 800, last_seq);
    every_search_finds_what_it_should(*db, written, "the index as it happens to be");
    db->catch_up_search_index();
    every_search_finds_what_it_should(*db, written, "the index holding all");
    write_random(*db, written, random, 300, last_seq);
    every_search_finds_what_it_should(*db, written, "the index holding all but the newest");
    db.reset();
    // Across a restart, with what it held.
    db = store::open_sqlite_store(dir.path().string());
    every_search_finds_what_it_should(*db, written, "after a restart");
    db->catch_up_search_index();
    every_search_finds_what_it_should(*db, written, "after a restart, the index holding all");
}

// The index is what is read for the rows it holds: a row changed in it
// alone is found as it is there.
BOOST_AUTO_TEST_CASE(the_rows_the_index_holds_are_read_from_it) {
    test::temp_dir dir;
    auto db = store::open_sqlite_store(dir.path().string());
    store::write_batch b;
    b.messages = {said("15550001", 1, chat::sender::user, "where is my parcel"),
                  said("15550002", 1, chat::sender::user, "I want a refund")};
    write(*db, b);
    db->catch_up_search_index();
    auto index = dir.path() / "search.db";
    BOOST_TEST(test::sqlite_value(index, "SELECT upto FROM indexed") == "2");
    test::sqlite_script(index, "UPDATE message_text SET text = 'only the index says so' WHERE phone = '15550001'");
    BOOST_TEST((search(*db, "only the index", 10) == std::map<std::string, std::uint64_t>{{"15550001", 1}}));
    BOOST_TEST(search(*db, "parcel", 10).empty());
    // A message after the rows it holds is read from the table.
    b.messages = {said("15550003", 1, chat::sender::user, "parcel again")};
    write(*db, b);
    BOOST_TEST((search(*db, "parcel", 10) == std::map<std::string, std::uint64_t>{{"15550003", 1}}));
}

// An index made from another database (its file copied in, or a backup
// restored under it), one made before the database's schema changed, or a
// file that is no database at all: each is made again from the messages.
BOOST_AUTO_TEST_CASE(an_index_that_is_not_the_databases_is_made_again) {
    test::temp_dir ours, theirs;
    auto fill = [](const test::temp_dir& dir, const std::string& word, int count) {
        auto db = store::open_sqlite_store(dir.path().string());
        store::write_batch b;
        for (int i = 1; i <= count; ++i)
            b.messages.push_back(said("1555" + std::to_string(1000 + i), 1, chat::sender::user, word + " here"));
        write(*db, b);
        db->catch_up_search_index();
    };
    fill(ours, "alpha", 10);
    fill(theirs, "bravo", 20);
    auto index = ours.path() / "search.db";
    std::filesystem::copy_file(theirs.path() / "search.db", index, std::filesystem::copy_options::overwrite_existing);
    auto searched = [&](const std::string& word) {
        auto db = store::open_sqlite_store(ours.path().string());
        return search(*db, word, 100).size();
    };
    BOOST_TEST(searched("bravo") == 0u);
    BOOST_TEST(searched("alpha") == 10u);

    // Made before the schema changed: what it held goes.
    {
        auto db = store::open_sqlite_store(ours.path().string());
        db->catch_up_search_index();
    }
    test::sqlite_script(index, "UPDATE message_text SET text = 'charlie' WHERE rowid = 1;"
                               "UPDATE indexed SET schema = schema - 1");
    BOOST_TEST(searched("charlie") == 0u);
    BOOST_TEST(searched("alpha") == 10u);

    // Not a database.
    std::filesystem::remove(ours.path() / "search.db-wal");
    std::filesystem::remove(ours.path() / "search.db-shm");
    std::ofstream(index, std::ios::trunc) << "this is not a database, and it is long enough to be read as one's header";
    BOOST_TEST(searched("alpha") == 10u);
    auto db = store::open_sqlite_store(ours.path().string());
    db->catch_up_search_index();
    BOOST_TEST(search(*db, "alpha", 100).size() == 10u);
    BOOST_TEST(test::sqlite_value(index, "SELECT upto FROM indexed") == "10");
}

// A word most messages hold: the index reads the newest of them, and the
// table the rest, from the row where the index stopped, none skipped.
BOOST_AUTO_TEST_CASE(a_word_most_messages_hold_is_read_from_the_table_past_a_point) {
    test::temp_dir dir;
    auto db = store::open_sqlite_store(dir.path().string());
    written_messages written;
    store::write_batch b;
    for (int i = 0; i < 6000; ++i) {
        auto m = said(std::to_string(16000000 + i), 1, chat::sender::user,
                      (i % 10 == 3 ? "a rare word, " : "") + std::string("a common word ") + std::to_string(i));
        written.all.push_back(m);
        b.messages.push_back(std::move(m));
    }
    write(*db, std::move(b));
    db->catch_up_search_index();
    for (const char* q : {"common word", "rare word", "word 5999", "word 0"})
        for (std::size_t limit : {1u, 100u, 10000u})
            BOOST_TEST((search(*db, q, limit) == written.expected(q, limit)), q << " at limit " << limit);
    BOOST_TEST(search(*db, "common word", 10000).size() == 6000u);
}

// Turned off (`--search-index false`), there is no index, and searches read
// every message.
BOOST_AUTO_TEST_CASE(without_the_index_searches_read_the_table) {
    test::temp_dir dir;
    store::sqlite_options no_index;
    no_index.search_index = false;
    auto db = store::open_sqlite_store(dir.path().string(), no_index);
    std::mt19937 random(7);
    written_messages written;
    std::map<std::string, std::uint64_t> last_seq;
    write_random(*db, written, random, 500, last_seq);
    db->catch_up_search_index();
    every_search_finds_what_it_should(*db, written, "without an index");
    BOOST_TEST(!std::filesystem::exists(dir.path() / "search.db"));
}

// The thread keeps up while messages come at a rate a support team makes,
// and leaves a flood's CPU to the webhooks until what searches read past
// the index grows long.
BOOST_AUTO_TEST_CASE(the_index_waits_while_messages_flood_in) {
    using store::search_index;
    BOOST_TEST(search_index::index_now(0, 2'000'000));  // a start on a history
    BOOST_TEST(search_index::index_now(0, 1));
    BOOST_TEST(search_index::index_now(4'000, 40'000));  // 2,000 webhooks a second
    BOOST_TEST(!search_index::index_now(20'000, 1));
    BOOST_TEST(!search_index::index_now(20'000, 499'999));
    BOOST_TEST(search_index::index_now(20'000, 500'000));
}

// The index's thread reads the database at the priority of any thread: a
// snapshot held by a thread that gets no CPU holds the WAL back from
// starting over (it grew past ten times its bound while the CPU was
// flooded). Only the filing, on a thread of its own, waits for spare CPU.
BOOST_AUTO_TEST_CASE(only_the_filing_waits_for_spare_cpu_never_a_read_of_the_database) {
    test::temp_dir dir;
    auto db = store::open_sqlite_store(dir.path().string());
    constexpr int normal = 100 + 0;  // SCHED_OTHER at nice 0
    BOOST_TEST(wait_for_threads_named("sb-search-index", {normal}) == std::vector<int>{normal});
    BOOST_TEST(test::policies_of_threads_named("sb-search-file").empty());
    {
        // The index's file held locked: its filing waits for it (SQLite's
        // busy timeout, 5 s), long enough to be seen.
        store::sqlite::connection holder((dir.path() / "search.db").string(), SQLITE_OPEN_READWRITE);
        holder.exec("BEGIN IMMEDIATE");
        store::write_batch b;
        b.messages = {said("15550001", 1, chat::sender::user, "where is my parcel")};
        write(*db, b);
        BOOST_TEST(wait_for_threads_named("sb-search-file", {SCHED_IDLE}) == std::vector<int>{SCHED_IDLE});
        BOOST_TEST(test::policies_of_threads_named("sb-search-index") == std::vector<int>{normal});
        holder.exec("ROLLBACK");
    }
    db->catch_up_search_index();
    BOOST_TEST(test::sqlite_value(dir.path() / "search.db", "SELECT count(*) FROM message_text") == "1");
}

// A stop does not wait for the batch being filed: the filing runs at the
// lowest priority, and under a flood of CPU finishing one took a second of
// the 5 s a stop may take. What it let go is filed at the next start.
BOOST_AUTO_TEST_CASE(a_stop_lets_go_of_the_batch_being_filed) {
    database_without_index d;
    auto& [dir, db, database, index, schema] = d;
    store::write_batch b;
    for (std::uint64_t seq = 1; seq <= 3; ++seq) b.messages.push_back(said("15550001", seq, chat::sender::user, "parcel late"));
    write(*db, b);
    {
        store::search_index stopped(index.string(), database.string(), schema);
        // The index's file held locked: the filing waits for it (SQLite's
        // busy timeout, 5 s) as its batch begins, until the stop is asked.
        store::sqlite::connection holder(index.string(), SQLITE_OPEN_READWRITE);
        holder.exec("BEGIN IMMEDIATE");
        stopped.start();
        BOOST_TEST(wait_for_threads_named("sb-search-file", {SCHED_IDLE}) == std::vector<int>{SCHED_IDLE});
        stopped.request_close();
        holder.exec("ROLLBACK");
        stopped.close();
        BOOST_TEST(stopped.upto() == 0);
    }
    BOOST_TEST(test::sqlite_value(index, "SELECT count(*) FROM message_text") == "0");
    BOOST_TEST(test::sqlite_value(index, "SELECT upto FROM indexed") == "0");
    store::search_index again(index.string(), database.string(), schema);
    again.catch_up();
    BOOST_TEST(again.upto() == 3);
    BOOST_TEST(test::sqlite_value(index, "SELECT count(*) FROM message_text") == "3");
}

// The server tells the store of a stop as it begins: the filing lets go
// then, while the requests in flight finish (up to 4 s), and not at the
// store's close after them, when under a flood of CPU its wait for a slice
// in which to see the stop came on top of those 4 s.
BOOST_AUTO_TEST_CASE(a_store_told_of_a_stop_lets_the_filing_go_before_it_closes) {
    test::temp_dir dir;
    auto db = store::open_sqlite_store(dir.path().string());
    auto index = dir.path() / "search.db";
    {
        // The index's file held locked: the filing waits for it as its batch begins.
        store::sqlite::connection holder(index.string(), SQLITE_OPEN_READWRITE);
        holder.exec("BEGIN IMMEDIATE");
        store::write_batch b;
        for (std::uint64_t seq = 1; seq <= 3; ++seq) b.messages.push_back(said("15550001", seq, chat::sender::user, "parcel late"));
        write(*db, b);
        BOOST_TEST(wait_for_threads_named("sb-search-file", {SCHED_IDLE}) == std::vector<int>{SCHED_IDLE});
        db->stopping();
        holder.exec("ROLLBACK");
    }
    BOOST_TEST(wait_for_threads_named("sb-search-file", {}).empty());  // the store still open
    BOOST_TEST(test::sqlite_value(index, "SELECT upto FROM indexed") == "0");  // let go, not filed
    db->close();
    db = store::open_sqlite_store(dir.path().string());
    db->catch_up_search_index();
    BOOST_TEST(test::sqlite_value(index, "SELECT upto FROM indexed") == "3");
}

// A user erased while the server stops (after the index's thread let go)
// leaves nothing of theirs in the index's file: at the next start the
// database no longer holds their rows to say which to drop.
BOOST_AUTO_TEST_CASE(a_user_erased_as_the_stop_began_leaves_no_text_in_the_index) {
    test::temp_dir dir;
    auto index = dir.path() / "search.db";
    {
        auto db = store::open_sqlite_store(dir.path().string());
        store::write_batch b;
        b.messages = {said("15550001", 1, chat::sender::user, "my card is 4111 1111"),
                      said("15550002", 1, chat::sender::user, "where is my parcel")};
        write(*db, b);
        db->catch_up_search_index();
        BOOST_TEST(test::sqlite_value(index, "SELECT count(*) FROM message_text") == "2");
        db->stopping();
        store::write_batch erase;
        erase.erase_conversation = store::erasure{"15550001"};
        write(*db, erase);
        db->close();
    }
    BOOST_TEST(test::sqlite_value(index, "SELECT count(*) FROM message_text WHERE text LIKE '%4111%'") == "0");
    BOOST_TEST(test::sqlite_value(index, "SELECT count(*) FROM message_text") == "1");
}

// Another process that opened the database (`switchboard agent`) may index
// some of what this one has read: what it filed is left as it is.
BOOST_AUTO_TEST_CASE(rows_another_process_indexed_meanwhile_are_not_filed_twice) {
    database_without_index d;
    auto& [dir, db, database, index, schema] = d;
    store::search_index one(index.string(), database.string(), schema), other(index.string(), database.string(), schema);
    store::write_batch b;
    for (std::uint64_t seq = 1; seq <= 1200; ++seq)  // more than a batch
        b.messages.push_back(said("15550001", seq, seq % 2 ? chat::sender::user : chat::sender::bot, "hello there"));
    write(*db, b);
    other.catch_up();
    BOOST_TEST(other.upto() == 1200);
    b.messages = {said("15550001", 1201, chat::sender::user, "parcel late"),
                  said("15550002", 1, chat::sender::user, "refund please")};
    write(*db, b);
    one.catch_up();  // read from row 0: the first 1,200 are the other's
    BOOST_TEST(one.upto() == 1202);
    other.catch_up();  // read from row 1200: none left to file
    BOOST_TEST(other.upto() == 1202);
    BOOST_TEST(test::sqlite_value(index, "SELECT count(*) FROM message_text") == "602");
    BOOST_TEST(test::sqlite_value(index, "SELECT count(*) FROM message_text WHERE rowid > 1200") == "2");
    BOOST_TEST(test::sqlite_value(index, "SELECT upto FROM indexed") == "1202");
}

// The row the index holds messages up to went (a deleted note leaves its
// row for a new one; an erased user's last message): once the index has
// dropped it, it holds them up to the row before, which is still there,
// and knows its database at the next start rather than being made again.
BOOST_AUTO_TEST_CASE(an_index_whose_last_row_went_still_knows_its_database) {
    test::temp_dir dir;
    {
        auto db = store::open_sqlite_store(dir.path().string());
        store::write_batch b;
        b.messages = {said("15550001", 1, chat::sender::user, "hello there"),
                      said("15550001", 2, chat::sender::admin, "door code 7731")};
        write(*db, b);
        db->catch_up_search_index();
    }
    auto database = dir.path() / "switchboard.db", index = dir.path() / "search.db";
    BOOST_TEST(test::sqlite_value(index, "SELECT upto FROM indexed") == "2");
    auto schema = store::current_schema_version();
    {
        store::search_index held(index.string(), database.string(), schema);
        BOOST_TEST(held.upto() == 2);
        test::sqlite_script(database, "DELETE FROM messages WHERE rowid = 2");
        held.forget({2}, INT64_MAX);
        held.catch_up();
        BOOST_TEST(held.upto() == 1);
    }
    store::search_index again(index.string(), database.string(), schema);
    BOOST_TEST(again.upto() == 1);  // made again, it would hold none
    again.catch_up();
    std::vector<std::string> found;
    again.find("hello", again.upto(), [&](std::string phone, std::uint64_t, std::int64_t) {
        found.push_back(std::move(phone));
        return true;
    }, {});
    BOOST_TEST(found == std::vector<std::string>{"15550001"});
    BOOST_TEST(test::sqlite_value(index, "SELECT count(*) FROM message_text WHERE text LIKE '%7731%'") == "0");
}

// Which searches the trigram index can answer: three characters in a row,
// none a wildcard; the others read the table.
BOOST_AUTO_TEST_CASE(a_search_needs_three_characters_in_a_row) {
    using store::search_index;
    for (const char* text : {"abc", "refund", "100%", "a%bcd", "日本語", "école"})
        BOOST_TEST(search_index::can_find(text), text);
    for (const char* text : {"", "ab", "a%b", "ab_cd", "日本", "é_é", "%%%"}) BOOST_TEST(!search_index::can_find(text), text);
}

// --data-max-mb counts the index too. The index stops at its share of the
// limit (a fifth), searches still finding every message (the newer ones in
// the database); the database is refused writes once it and the index
// together reach the limit, not when it alone does.
BOOST_AUTO_TEST_CASE(the_data_limit_counts_the_index_which_stops_at_its_share) {
    test::temp_dir dir;
    store::sqlite_options limited;
    limited.max_size_mb = 1;
    constexpr std::uint64_t limit = 1024 * 1024;
    auto db = store::open_sqlite_store(dir.path().string(), limited);
    std::mt19937 random(20261205);
    auto letters = std::uniform_int_distribution<int>('a', 'z');
    std::uint64_t seq = 0;
    std::string newest;
    bool refused = false;
    // Random letters: each message brings hundreds of trigrams, so the
    // index grows about as fast as the database.
    for (int batch = 0; batch < 200 && !refused; ++batch) {
        store::write_batch b;
        for (int i = 0; i < 20; ++i) {
            auto text = "msg" + std::to_string(seq + 1) + "z ";
            while (text.size() < 300) text += static_cast<char>(letters(random));
            ++seq;
            b.messages.push_back(said("15550" + std::to_string(seq % 50), seq, chat::sender::user, text));
        }
        try {
            test::write(*db, std::move(b));
            newest = "msg" + std::to_string(seq) + "z";
        } catch (const store::unavailable&) {
            refused = true;
        }
        db->catch_up_search_index();
    }
    BOOST_REQUIRE(refused);
    auto bytes_of = [](const std::filesystem::path& file) {
        return std::stoull(test::sqlite_value(file, "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()"));
    };
    auto index_bytes = bytes_of(dir.path() / "search.db");
    auto db_bytes = bytes_of(dir.path() / "switchboard.db");
    BOOST_TEST(index_bytes <= limit / 5);
    BOOST_TEST(index_bytes > limit / 5 - 64 * 1024, "the index reached its share: " << index_bytes);
    BOOST_TEST(db_bytes + index_bytes <= limit, db_bytes << " + " << index_bytes);
    // The newest message, past what the index holds, is found all the same.
    auto found = db->text_matches(newest, 5, {});
    BOOST_REQUIRE(found.size() == 1u);
    BOOST_TEST(found[0].seq == seq - 20);  // the last batch written
}

BOOST_AUTO_TEST_SUITE_END()
