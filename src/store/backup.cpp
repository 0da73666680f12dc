// Backups of the SQLite store. A backup is VACUUM INTO from a read-only
// connection, beside a running server: a compact, plain database file. A
// restore puts one in place of the directory's database while no server
// runs there, keeping the one it replaces.
#include "switchboard/store/store.hpp"

#include "directory_lock.hpp"
#include "search_index.hpp"
#include "sqlite.hpp"
#include "sync_path.hpp"
#include "switchboard/core/time.hpp"

#include <filesystem>

namespace switchboard::store {

namespace fs = std::filesystem;

namespace {

fs::path directory_of(const fs::path& file) {
    auto dir = fs::absolute(file).parent_path();
    return dir.empty() ? fs::path(".") : dir;
}

std::uint64_t count_of(sqlite::connection& db, const char* table) {
    auto st = db.prepare(std::string("SELECT count(*) FROM ") + table);
    st.step();
    auto n = static_cast<std::uint64_t>(st.get_int(0));
    st.reset();
    return n;
}

int schema_of(sqlite::connection& db, const std::string& path) {
    auto version = db.prepare("PRAGMA user_version");
    version.step();
    auto v = static_cast<int>(version.get_int(0));
    version.reset();  // VACUUM refuses to run beside a statement in progress
    if (v == 0) throw std::runtime_error(path + " is not a Switchboard database");
    return v;
}

// A backup file read back whole: it checks out, and what it holds.
backup_summary checked(const std::string& path) {
    sqlite::connection db(path, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX);
    backup_summary out;
    out.schema = schema_of(db, path);
    auto check = db.prepare("PRAGMA quick_check");
    check.step();
    if (auto verdict = check.get_text(0); verdict != "ok")
        throw std::runtime_error(path + " does not check out: " + verdict);
    check.reset();
    out.conversations = count_of(db, "conversations");
    out.messages = count_of(db, "messages");
    std::error_code ec;
    out.bytes = fs::file_size(path, ec);
    return out;
}

}  // namespace

backup_summary backup_sqlite_store(const std::string& dir, const std::string& to) {
    auto from = sqlite_file_in(dir);
    std::error_code ec;
    if (!fs::is_regular_file(from, ec)) throw std::runtime_error("no database to back up at " + from);
    if (fs::exists(to, ec)) throw std::runtime_error(to + " exists already: a backup never writes over a file");
    if (!fs::is_directory(directory_of(to), ec))
        throw std::runtime_error("no directory " + directory_of(to).string() + " to write the backup in");
    try {
        {
            sqlite::connection source(from, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX);
            source.exec("PRAGMA busy_timeout = 5000");  // a checkpoint may hold the WAL index a moment
            schema_of(source, from);
            auto vacuum = source.prepare("VACUUM INTO ?1");
            vacuum.bind(1, to);
            vacuum.run();
        }
        sync_path(to);
        sync_path(directory_of(to));
        return checked(to);
    } catch (const std::exception& e) {
        fs::remove(to, ec);
        throw std::runtime_error("cannot back up " + from + " to " + to + ": " + e.what());
    }
}

restore_summary restore_sqlite_store(const std::string& dir, const std::string& from) {
    std::error_code ec;
    if (!fs::is_regular_file(from, ec)) throw std::runtime_error("no backup at " + from);
    restore_summary out;
    try {
        static_cast<backup_summary&>(out) = checked(from);
    } catch (const std::exception& e) {
        throw std::runtime_error("cannot restore " + from + ": " + e.what());
    }
    if (out.schema > schema_version())
        throw std::runtime_error("cannot restore " + from + ": its schema (" + std::to_string(out.schema) +
                                 ") is newer than this build's (" + std::to_string(schema_version()) + ")");
    fs::create_directories(dir, ec);
    directory_lock lock(dir);  // no server may run on it meanwhile

    // The copy goes in under another name first, so that a restore cut
    // short leaves the database as it was.
    fs::path db = sqlite_file_in(dir);
    fs::path incoming = db.string() + ".restoring";
    fs::copy_file(from, incoming, fs::copy_options::overwrite_existing, ec);
    if (ec) throw std::runtime_error("cannot copy " + from + " to " + incoming.string() + ": " + ec.message());
    sync_path(incoming);
    // The database it replaces is kept, its WAL with it: a WAL left beside
    // the restored file would be applied to it as if it were its own.
    if (fs::exists(db, ec)) {
        auto aside = db.string() + ".replaced-" + to_iso8601(std::chrono::system_clock::now());
        for (const char* part : {"", "-wal", "-shm"}) {
            fs::path was = db.string() + part;
            if (fs::exists(was, ec)) fs::rename(was, aside + part);
        }
        out.replaced = aside;
    }
    fs::rename(incoming, db, ec);
    if (ec)
        throw std::runtime_error("cannot put " + incoming.string() + " in place of " + db.string() + ": " + ec.message() +
                                 (out.replaced.empty() ? "" : "; the database it replaces is at " + out.replaced));
    // The search index was made from the database replaced; the server
    // makes it again from this one (it would find that out, too).
    for (const char* part : {"", "-wal", "-shm"}) fs::remove(search_index_file_in(dir) + part, ec);
    sync_path(dir);
    return out;
}

}  // namespace switchboard::store
