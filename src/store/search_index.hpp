// The text search's index of message text, so that a search of a large
// history reads the messages that hold its words and not every message
// (2,000,000 messages took 0.8 s a search, one search at a time).
//
// An FTS5 table with the trigram tokenizer, in a file of its own beside the
// database (`search.db`), kept by a thread of its own: it reads the
// messages written since it last looked, in batches, off the webhook's
// path, and a second thread at the lowest CPU priority (SCHED_IDLE) files
// them, so a busy server pays for it only with what CPU is left over. It
// is derived data: a file that is missing, damaged, or was made from
// another database (a restored backup) is made again from the messages.
// A message's text never changes; messages are deleted with their
// conversation (an admin erases a user's data), and a deleted note leaves
// its row for a new one without its text; the store then tells the index,
// which drops them (forget). It holds the messages up to one row of the
// database (`upto`), and a search reads the rows after that straight from
// the database.
#pragma once

#include "sqlite.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "switchboard/core/repeated_problem.hpp"

namespace switchboard::store {

std::string search_index_file_in(const std::string& dir);

class search_index {
public:
    // Indexes the messages of the database at `db_path` (schema `schema`)
    // in the file `index_path`, made again if it cannot be used as it is.
    // Throws if it cannot be made at all. `max_bytes`: the most the file may
    // take (its share of --data-max-mb; 0: no limit). Once that full, it
    // stops growing, and searches read the newer messages from the
    // database, as they read those it has not reached yet.
    search_index(const std::string& index_path, const std::string& db_path, int schema, std::uint64_t max_bytes = 0);
    ~search_index() { close(); }
    search_index(const search_index&) = delete;
    search_index& operator=(const search_index&) = delete;

    // Starts the thread that keeps the index up with the database.
    void start();
    // Asks it to stop, at once: a batch being filed is let go (rolled
    // back), its rows filed at the next start. The filing runs at the
    // lowest priority, and under a flood of CPU finishing one batch took
    // seconds of the 5 s a stop may take (SPEC §1).
    void request_close();
    // Stops it: request_close(), waits for the thread, then drops the rows
    // it was told to forget meanwhile.
    void close();

    // Indexes every message the database holds now, on the caller's thread,
    // and drops those forgotten.
    void catch_up();
    // The messages of `rows` were deleted: the thread drops them soon. When
    // the largest rows went, SQLite gives their rowids to the next messages:
    // `rows_left` is the largest rowid the deletion left (0: none), past
    // which the index reads the database again; INT64_MAX when no rowid
    // can have been given again (a deleted note's old row, left for a new one).
    void forget(std::vector<std::int64_t> rows, std::int64_t rows_left);

    // Whether the thread indexes now, messages coming at `rows_per_second`
    // and `rows_behind` not indexed yet: while they come fast, webhooks have
    // the CPU, unless what a search reads past the index has grown long.
    static bool index_now(double rows_per_second, std::int64_t rows_behind);
    // Whether a search for `text` can use the index: the trigram index finds
    // text with three characters in a row, none of them a wildcard.
    static bool can_find(std::string_view text);
    // What the file takes, as of the last batch: counted in the data limit.
    std::uint64_t bytes() const { return bytes_; }
    // Whether it stopped at max_bytes.
    bool full() const { return full_; }
    // The last row of the database's messages the index holds: set once a
    // batch is committed, so a search that reads it after finds it there.
    // While rows forgotten wait to be dropped, no further than the rows
    // their deletion left: SQLite may have given the rowids past them to
    // new messages, which the index holds under the old ones' text.
    std::int64_t upto() const { return std::min<std::int64_t>(upto_, trusted_upto_); }
    // The messages among the first `upto` rows from the user or an agent
    // whose text contains `text` (ASCII case-insensitive, wildcards taken as
    // typed, as SQLite's LIKE with ESCAPE), newest first, each given to
    // `visit` until it says false. `stop` as for store::text_matches:
    // nullopt once it said yes. Otherwise the row before which the index
    // left the rest for the caller to read from the table (0: none left):
    // when most rows match, that is faster.
    // `visit` is given each message's row too.
    std::optional<std::int64_t> find(std::string_view text, std::int64_t upto,
                                     const std::function<bool(std::string phone, std::uint64_t seq, std::int64_t row)>& visit,
                                     const std::function<bool()>& stop);

private:
    void open(const std::string& index_path, int schema);
    void loop();
    struct message_row {
        std::int64_t rowid;
        std::string phone;
        std::int64_t seq;
        std::string id;
        std::string text;  // empty when not indexed
        bool indexed;      // not the bot's
    };
    // now: on a thread at the caller's priority; when_idle: at SCHED_IDLE.
    enum class filing { now, when_idle };
    void catch_up(filing how);
    // Up to a batch of the database's messages after row `after`.
    std::vector<message_row> read_batch(std::int64_t after);
    // Indexes them, those another process indexed meanwhile left out.
    void file_batch(const std::vector<message_row>& rows);
    // Drops the rows forget() was told of; the caller holds work_mutex_.
    void drop_forgotten();
    void measure();

    sqlite::connection db_;  // the database, read-only, for the indexer; under work_mutex_ once started
    std::unique_ptr<sqlite::connection> writer_, reader_;
    std::mutex work_mutex_;  // one indexer at a time: the thread, or catch_up()
    std::atomic<std::int64_t> upto_ = 0;  // written under work_mutex_
    bool caught_up_once_ = false;  // under work_mutex_
    std::uint64_t max_bytes_;
    std::atomic<std::uint64_t> bytes_ = 0;
    std::atomic<bool> full_ = false;
    std::mutex read_mutex_;  // the reader connection, one search at a time

    std::mutex mutex_;
    std::condition_variable wake_;
    // Set under mutex_, for the wait; read without it by the filing, between rows.
    std::atomic<bool> closing_ = false;
    // Deleted rows not dropped yet, and each deletion's rows_left: under mutex_.
    struct forgotten {
        std::vector<std::int64_t> rows;
        std::int64_t rows_left;
    };
    std::vector<forgotten> forgotten_;
    std::atomic<std::int64_t> trusted_upto_ = INT64_MAX;  // the least rows_left of forgotten_; written under mutex_
    std::thread thread_;
    log::repeated_problem failures_{log::level::warn, "search index update failed",
                                    "search index updates succeed again"};
};

}  // namespace switchboard::store
