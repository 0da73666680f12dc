// An online backup of the SQLite store: VACUUM INTO from a read-only
// connection. The copy is compact and a plain database file: a server
// started on a directory holding it as switchboard.db takes it as it is.
#include "switchboard/store/store.hpp"

#include "sqlite.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>

namespace switchboard::store {

namespace {

// VACUUM INTO writes with no sync of its own: a copy that is not on the
// disk yet is no backup.
void sync_file(const std::filesystem::path& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 || ::fsync(fd) != 0) {
        if (fd >= 0) ::close(fd);
        throw std::runtime_error("cannot sync the backup " + path.string());
    }
    ::close(fd);
}

std::uint64_t count_of(sqlite::connection& db, const char* table) {
    auto st = db.prepare(std::string("SELECT count(*) FROM ") + table);
    st.step();
    auto n = static_cast<std::uint64_t>(st.get_int(0));
    st.reset();
    return n;
}

}  // namespace

backup_summary backup_sqlite_store(const std::string& dir, const std::string& to) {
    namespace fs = std::filesystem;
    auto from = sqlite_file_in(dir);
    std::error_code ec;
    if (!fs::is_regular_file(from, ec)) throw std::runtime_error("no database to back up at " + from);
    if (fs::exists(to, ec)) throw std::runtime_error(to + " exists already: a backup never writes over a file");
    auto target_dir = fs::absolute(to, ec).parent_path();
    if (!fs::is_directory(target_dir, ec)) throw std::runtime_error("no directory " + target_dir.string() + " to write the backup in");

    backup_summary out;
    try {
        {
            sqlite::connection source(from, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX);
            source.exec("PRAGMA busy_timeout = 5000");  // a checkpoint may hold the WAL index a moment
            auto version = source.prepare("PRAGMA user_version");
            version.step();
            out.schema = static_cast<int>(version.get_int(0));
            version.reset();  // VACUUM refuses to run beside a statement in progress
            if (out.schema == 0) throw std::runtime_error(from + " is not a Switchboard database");
            auto vacuum = source.prepare("VACUUM INTO ?1");
            vacuum.bind(1, to);
            vacuum.run();
        }
        sync_file(to);
        sync_file(fs::path(to).parent_path().empty() ? fs::path(".") : fs::path(to).parent_path());
        sqlite::connection copy(to, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX);
        auto check = copy.prepare("PRAGMA quick_check");
        check.step();
        if (auto verdict = check.get_text(0); verdict != "ok")
            throw std::runtime_error("the copy did not check out: " + std::string(verdict));
        out.conversations = count_of(copy, "conversations");
        out.messages = count_of(copy, "messages");
    } catch (const std::exception& e) {
        fs::remove(to, ec);
        throw std::runtime_error("cannot back up " + from + " to " + to + ": " + e.what());
    }
    out.bytes = fs::file_size(to, ec);
    return out;
}

}  // namespace switchboard::store
