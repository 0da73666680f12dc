#include "search_index.hpp"

#include "batch_pipeline.hpp"

#include "switchboard/core/ascii_case.hpp"
#include "switchboard/core/log.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iterator>
#include <pthread.h>
#include <sched.h>
#include <vector>

namespace switchboard::store {

namespace {

namespace fs = std::filesystem;

// Rows a batch reads and indexes in one transaction: a few milliseconds of
// work, so that the database's snapshot it reads is let go soon (a reader
// holds back the WAL's start over) and close() waits little.
constexpr int batch_rows = 1000;
// Indexing a message costs about 7 µs of CPU (a short one, at 2,000,000):
// at 10,000 rows a second (5,000 webhooks, a user's message and the bot's
// answer each; the bot's are not indexed) some 4% of a core. Past that
// the server is flooded, and the index waits, until the rows a search
// reads from the table instead reach 500,000 (about 0.1 s more a search;
// all of them, 2,000,000, take 0.43 s).
constexpr double busy_rows_per_second = 10'000;
constexpr std::int64_t max_lag_rows = 500'000;

const char* const index_schema = R"(
CREATE TABLE IF NOT EXISTS indexed (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    upto INTEGER NOT NULL,       -- the last row of the database's messages indexed
    last_message TEXT NOT NULL,  -- that row's message id, to know the database again
    schema INTEGER NOT NULL      -- the database's schema then: a new one may number its rows anew
);
-- detail=none: a trigram's rows, not where in them; SQLite checks each
-- row it finds against the LIKE pattern itself.
CREATE VIRTUAL TABLE IF NOT EXISTS message_text USING fts5(
    text, phone UNINDEXED, seq UNINDEXED, tokenize = 'trigram', detail = 'none');
)";

bool is_wildcard(char c) { return c == '%' || c == '_'; }

void remove_index_files(const std::string& path) {
    std::error_code ec;
    for (const char* part : {"", "-wal", "-shm"}) fs::remove(path + part, ec);
}

}  // namespace

std::string search_index_file_in(const std::string& dir) { return (fs::path(dir) / "search.db").string(); }

search_index::search_index(const std::string& index_path, const std::string& db_path, int schema,
                           std::uint64_t max_bytes)
    : db_(db_path, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX), max_bytes_(max_bytes) {
    try {
        open(index_path, schema);
    } catch (const std::exception& e) {
        // Not a database, or not one of ours: it only ever holds what the
        // messages can give again.
        log::warn("search index made again", {{"path", index_path}, {"reason", e.what()}});
        reader_.reset();
        writer_.reset();
        remove_index_files(index_path);
        open(index_path, schema);
    }
}

void search_index::open(const std::string& index_path, int schema) {
    writer_ = std::make_unique<sqlite::connection>(index_path,
                                                   SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX);
    writer_->exec("PRAGMA journal_mode = WAL");
    // A crash may lose the last batches, never tear one: they are indexed again.
    writer_->exec("PRAGMA synchronous = NORMAL");
    writer_->exec("PRAGMA secure_delete = ON");  // as the database's: dropped text leaves the bytes
    if (max_bytes_) {
        auto page_size = static_cast<std::uint64_t>(writer_->page_size());
        writer_->exec("PRAGMA max_page_count = " + std::to_string(std::max<std::uint64_t>(1, max_bytes_ / page_size)));
    }
    writer_->exec(index_schema);
    auto state = writer_->prepare("SELECT upto, last_message, schema FROM indexed");
    if (state.step()) {
        upto_ = state.get_int(0);
        auto last = state.get_text(1);
        bool same_schema = state.get_int(2) == schema;
        state.reset();
        auto row = db_.prepare("SELECT id FROM messages WHERE rowid = ?");
        row.bind(1, upto_);
        bool same_database = upto_ == 0 || (row.step() && row.get_text(0) == last);
        if (!same_schema || !same_database)
            throw std::runtime_error("it was made from another database, or before its schema " +
                                     std::to_string(schema));
    } else {
        state.reset();
        writer_->prepare("INSERT INTO indexed (id, upto, last_message, schema) VALUES (1, 0, '', ?)")
            .bind(1, std::int64_t{schema})
            .run();
        upto_ = 0;
    }
    reader_ = std::make_unique<sqlite::connection>(index_path, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX);
    measure();
}

void search_index::measure() {
    auto st = writer_->prepare("SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()");
    st.step();
    bytes_ = static_cast<std::uint64_t>(st.get_int(0));
}

void search_index::start() {
    thread_ = std::thread([this] {
        pthread_setname_np(pthread_self(), "sb-search-index");
        // At the priority of any thread: at nice 19 a CPU flood still kept
        // its reads open long enough for the WAL to reach twice its
        // threshold (benchmarks/compare/wal-under-cpu-flood).
        loop();
    });
}

void search_index::request_close() {
    std::lock_guard lock(mutex_);
    closing_ = true;
    wake_.notify_one();
}

void search_index::close() {
    request_close();
    if (thread_.joinable()) thread_.join();
    // Rows erased after the thread's last look (a user erased as the stop
    // began): their text would stay in the file, since at the next start
    // the database no longer has them to tell of. Quick, at this thread's
    // priority.
    try {
        std::lock_guard work(work_mutex_);
        drop_forgotten();
    } catch (const std::exception& e) {
        log::error("search index kept rows erased as it stopped", {{"error", e.what()}});
    }
}

void search_index::loop() {
    using clock = std::chrono::steady_clock;
    auto newest = [&] {
        std::lock_guard work(work_mutex_);  // db_ is catch_up()'s too, which a test may call meanwhile
        auto st = db_.prepare("SELECT max(rowid) FROM messages");
        return st.step() ? st.get_int(0) : 0;  // NULL, none yet, reads 0
    };
    std::int64_t seen = 0;
    auto seen_at = clock::now();
    try {
        seen = newest();
    } catch (const std::exception& e) {
        failures_.occurred({{"error", e.what()}});
    }
    std::unique_lock lock(mutex_);
    while (!closing_) {
        lock.unlock();
        try {
            auto now = clock::now();
            auto rows = newest();
            auto rate = static_cast<double>(rows - seen) / std::chrono::duration<double>(now - seen_at).count();
            seen = rows;
            seen_at = now;
            if (index_now(rate, rows - upto_)) {
                catch_up(filing::when_idle);  // drops the rows forgotten first
            } else {
                std::lock_guard work(work_mutex_);
                drop_forgotten();
            }
            failures_.stopped();
        } catch (const std::exception& e) {
            // A full disk, most likely. Searches stay right: they read what
            // is not indexed from the database.
            failures_.occurred({{"error", e.what()}});
        }
        lock.lock();
        wake_.wait_for(lock, std::chrono::milliseconds(250), [&] { return closing_.load(); });
    }
}

void search_index::forget(std::vector<std::int64_t> rows, std::int64_t rows_left) {
    std::lock_guard lock(mutex_);
    forgotten_.push_back({std::move(rows), rows_left});
    trusted_upto_ = std::min<std::int64_t>(trusted_upto_, rows_left);
    wake_.notify_one();
}

void search_index::drop_forgotten() {
    std::vector<forgotten> todo;
    {
        std::lock_guard lock(mutex_);
        todo.swap(forgotten_);
    }
    if (todo.empty()) return;
    try {
        sqlite::transaction tx(*writer_);
        auto drop = writer_->prepare("DELETE FROM message_text WHERE rowid = ?");
        std::int64_t upto = upto_;
        for (auto& f : todo) {
            for (auto row : f.rows)
                if (row <= f.rows_left) drop.bind(1, row).run();
            if (upto <= f.rows_left) continue;
            // The rows past rows_left went, and new messages may have taken
            // their rowids already: all of them are read from the database again.
            writer_->prepare("DELETE FROM message_text WHERE rowid > ?").bind(1, f.rows_left).run();
            std::string last;
            auto id = db_.prepare("SELECT id FROM messages WHERE rowid = ?");
            if (id.bind(1, f.rows_left).step()) last = id.get_text(0);
            writer_->prepare("UPDATE indexed SET upto = ?, last_message = ?").bind(1, f.rows_left).bind(2, last).run();
            upto = f.rows_left;
        }
        // The row the index holds messages up to went: it would not know
        // its database at the next start (and be made again from it). It
        // holds them up to the row before, which is still there.
        auto went = [&](const forgotten& f) { return std::find(f.rows.begin(), f.rows.end(), upto) != f.rows.end(); };
        if (upto > 0 && std::any_of(todo.begin(), todo.end(), went)) {
            auto before = db_.prepare("SELECT rowid, id FROM messages WHERE rowid < ? ORDER BY rowid DESC LIMIT 1");
            std::string last;
            std::int64_t row = 0;
            if (before.bind(1, upto).step()) row = before.get_int(0), last = before.get_text(1);
            writer_->prepare("UPDATE indexed SET upto = ?, last_message = ?").bind(1, row).bind(2, last).run();
            upto = row;
        }
        tx.commit();
        upto_ = upto;
        std::lock_guard lock(mutex_);  // those forgotten meanwhile keep theirs
        std::int64_t trusted = INT64_MAX;
        for (auto& f : forgotten_) trusted = std::min(trusted, f.rows_left);
        trusted_upto_ = trusted;
    } catch (...) {
        // Dropped on the next try (a full disk, most likely, which the caller reports).
        std::lock_guard lock(mutex_);
        forgotten_.insert(forgotten_.begin(), std::make_move_iterator(todo.begin()), std::make_move_iterator(todo.end()));
        throw;
    }
}

void search_index::catch_up() { catch_up(filing::now); }

void search_index::catch_up(filing how) {
    std::lock_guard work(work_mutex_);
    drop_forgotten();
    if (full_) return;
    auto started = std::chrono::steady_clock::now();
    std::int64_t from = upto_;
    auto first = read_batch(from);
    if (first.empty()) return;
    try {
        // Read here and filed on a thread of their own: a read holds a
        // snapshot of the database, which holds the WAL back from starting
        // over, so it is not left to a thread that gets no CPU while the
        // server is busy (under a flood of CPU the WAL grew to several
        // times its checkpoint threshold). Filing, nearly all of the work,
        // is what waits.
        run_batch_pipeline<std::vector<message_row>>(
            "sb-search-file", 1,
            [&](auto emit) {
                auto rows = std::move(first);
                for (;;) {
                    auto after = rows.back().rowid;
                    bool more = rows.size() == static_cast<std::size_t>(batch_rows);
                    emit(std::move(rows));
                    if (!more) return;
                    {
                        std::lock_guard lock(mutex_);
                        if (closing_) return;
                    }
                    rows = read_batch(after);
                    if (rows.empty()) return;
                }
            },
            [&, lowered = false](std::vector<message_row>& rows) mutable {
                if (how == filing::when_idle && !lowered) {
                    // The lowest priority: the scheduler gives it what the
                    // other threads leave, and a sliver when they leave
                    // nothing. At nice 19 it still held an io thread back
                    // now and then: webhooks' p99 at 2,000 a second went
                    // from 1.8 to 2.5 ms.
                    sched_param none{};
                    pthread_setschedparam(pthread_self(), SCHED_IDLE, &none);
                    lowered = true;
                }
                file_batch(rows);
            });
    } catch (const sqlite::error& e) {
        if (!max_bytes_ || (e.code() & 0xff) != SQLITE_FULL) throw;
        // Its share of the data limit taken: what it holds stays searched
        // through it, and the rest is read from the database.
        full_ = true;
        log::warn("search index full: newer messages are searched in the database",
                  {{"max_bytes", std::to_string(max_bytes_)}, {"upto", std::to_string(upto_)}});
        return;
    }
    // A line once a start's first catch-up is done, and when there was much
    // to do: a long spell when the server left it no CPU.
    if (!caught_up_once_ || upto_ - from >= 100 * batch_rows) {
        caught_up_once_ = true;
        auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
        log::info("search index caught up",
                  {{"rows", std::to_string(upto_ - from)}, {"upto", std::to_string(upto_)},
                   {"ms", std::to_string(ms.count())}});
    }
}

std::vector<search_index::message_row> search_index::read_batch(std::int64_t after) {
    // The bot's messages are not searched (its menu is in every
    // conversation), but they move `upto` on all the same.
    std::vector<message_row> rows;
    auto st = db_.prepare("SELECT rowid, phone, seq, id, text, sender <> 'bot' FROM messages "
                          "WHERE rowid > ? ORDER BY rowid LIMIT ?");
    st.bind(1, after).bind(2, std::int64_t{batch_rows});
    while (st.step())
        rows.push_back({st.get_int(0), st.get_text(1), st.get_int(2), st.get_text(3),
                        st.get_int(5) ? st.get_text(4) : std::string(), st.get_int(5) != 0});
    return rows;  // the statement finished: the database's snapshot is let go
}

void search_index::file_batch(const std::vector<message_row>& rows) {
    // `upto` is read again in the transaction: another process that opened
    // the same database (`switchboard agent`) may have indexed some too.
    sqlite::transaction tx(*writer_);
    auto state = writer_->prepare("SELECT upto FROM indexed");
    std::int64_t upto = state.step() ? state.get_int(0) : 0;
    state.reset();
    if (rows.back().rowid <= upto) {
        upto_ = upto;
        return;
    }
    auto put = writer_->prepare("INSERT INTO message_text (rowid, text, phone, seq) VALUES (?,?,?,?)");
    for (auto& r : rows) {
        if (closing_.load(std::memory_order_relaxed)) {
            log::info("search index let its batch go: the server stops, and the rows are filed at the next start",
                      {{"from_row", std::to_string(rows.front().rowid)}, {"rows", std::to_string(rows.size())}});
            return;  // rolled back
        }
        if (!r.indexed || r.rowid <= upto) continue;
        put.bind(1, r.rowid).bind(2, r.text).bind(3, r.phone).bind(4, r.seq).run();
    }
    writer_->prepare("UPDATE indexed SET upto = ?, last_message = ?")
        .bind(1, rows.back().rowid)
        .bind(2, rows.back().id)
        .run();
    tx.commit();
    upto_ = rows.back().rowid;
    measure();
}

bool search_index::index_now(double rows_per_second, std::int64_t rows_behind) {
    return rows_per_second <= busy_rows_per_second || rows_behind >= max_lag_rows;
}

bool search_index::can_find(std::string_view text) {
    // Three characters in a row: UTF-8 continuation bytes are no character.
    int run = 0;
    for (char c : text) {
        if (is_wildcard(c)) {
            run = 0;
        } else if ((static_cast<unsigned char>(c) & 0xC0) != 0x80 && ++run == 3) {
            return true;
        }
    }
    return false;
}

std::optional<std::int64_t> search_index::find(std::string_view text, std::int64_t upto,
                                               const std::function<bool(std::string phone, std::uint64_t seq, std::int64_t row)>& visit,
                                               const std::function<bool()>& stop) {
    // FTS5 uses the index for LIKE only without ESCAPE, so a wildcard typed
    // in the search is asked as "any character" there, and each row found
    // is checked for the text as typed here.
    std::string pattern = "%";
    bool typed_wildcard = false;
    for (char c : text) {
        typed_wildcard = typed_wildcard || is_wildcard(c);
        pattern += is_wildcard(c) ? '_' : c;
    }
    pattern += '%';
    auto needle = ascii_lowered(std::string(text));
    std::lock_guard lock(read_mutex_);
    auto st = reader_->prepare(
        "SELECT rowid, phone, seq, text FROM message_text WHERE text LIKE ? AND rowid <= ? ORDER BY rowid DESC");
    st.bind(1, pattern).bind(2, upto);
    sqlite::interrupt_when asked(reader_->handle(), stop);
    std::int64_t found = 0;
    try {
        while (st.step()) {
            auto row = st.get_int(0);
            // A row the index finds costs about five times one the table's
            // scan reads (1 µs against 0.2: its trigrams' lists, then the
            // row's text). Once more than one row in five matches, as with
            // a word every message has, the table reads the rest faster.
            if (++found % 4096 == 0 && found * 5 > upto - row) return row + 1;
            if (typed_wildcard && !contains_ignoring_case(st.get_bytes(3), needle)) continue;
            if (!visit(st.get_text(1), static_cast<std::uint64_t>(st.get_int(2)), row)) return 0;
        }
    } catch (...) {
        if (!asked.interrupted()) throw;
    }
    if (asked.interrupted()) return std::nullopt;
    return 0;
}

}  // namespace switchboard::store
