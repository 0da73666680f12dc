#include "sqlite_probe.hpp"

#include <sqlite3.h>

#include <stdexcept>

namespace switchboard::test {

namespace {
struct handle {
    sqlite3* db = nullptr;
    explicit handle(const std::filesystem::path& p) {
        if (sqlite3_open(p.c_str(), &db) != SQLITE_OK) throw std::runtime_error("cannot open " + p.string());
        sqlite3_busy_timeout(db, 5000);
    }
    ~handle() { sqlite3_close(db); }
};
}  // namespace

std::vector<std::vector<std::string>> sqlite_rows(const std::filesystem::path& db, const std::string& sql) {
    handle h(db);
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(h.db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK)
        throw std::runtime_error(std::string("prepare: ") + sqlite3_errmsg(h.db));
    std::vector<std::vector<std::string>> rows;
    while (sqlite3_step(st) == SQLITE_ROW) {
        std::vector<std::string> row;
        for (int i = 0; i < sqlite3_column_count(st); ++i) {
            auto* t = reinterpret_cast<const char*>(sqlite3_column_text(st, i));
            row.emplace_back(t ? t : "");
        }
        rows.push_back(std::move(row));
    }
    sqlite3_finalize(st);
    return rows;
}

sqlite_write_lock::sqlite_write_lock(const std::filesystem::path& db) {
    if (sqlite3_open(db.c_str(), &db_) != SQLITE_OK) throw std::runtime_error("cannot open " + db.string());
    sqlite3_busy_timeout(db_, 5000);
    if (sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) {
        std::string msg = sqlite3_errmsg(db_);
        sqlite3_close(db_);
        throw std::runtime_error("cannot lock " + db.string() + ": " + msg);
    }
}

sqlite_write_lock::~sqlite_write_lock() { release(); }

void sqlite_write_lock::release() {
    if (!db_) return;
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(db_);
    db_ = nullptr;
}

std::string sqlite_value(const std::filesystem::path& db, const std::string& sql) {
    auto rows = sqlite_rows(db, sql);
    return rows.empty() || rows[0].empty() ? std::string{} : rows[0][0];
}

void sqlite_script(const std::filesystem::path& db, const std::string& sql) {
    handle h(db);
    char* err = nullptr;
    if (sqlite3_exec(h.db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
        std::string msg = err ? err : "?";
        sqlite3_free(err);
        throw std::runtime_error("script: " + msg);
    }
}

}  // namespace switchboard::test
