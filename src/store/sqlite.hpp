// A thin RAII layer over the SQLite C API: a connection and prepared
// statements with typed bind/get, errors as exceptions carrying the SQL.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace switchboard::store::sqlite {

class error : public std::runtime_error {
public:
    error(int code, const std::string& what) : std::runtime_error(what), code_(code) {}
    int code() const { return code_; }
    // Disk full, I/O error, read-only: the store cannot take writes now.
    bool unavailable() const;

private:
    int code_;
};

class statement;

class connection {
public:
    connection(const std::string& path, int flags);
    ~connection();
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;

    void exec(std::string_view sql);
    statement prepare(std::string_view sql);
    // PRAGMA page_size: the database's, in bytes.
    std::int64_t page_size();
    sqlite3* handle() const { return db_; }
    [[noreturn]] void fail(int code, std::string_view context) const;

private:
    sqlite3* db_ = nullptr;
};

// Asks `stop` every few thousand virtual machine steps of the statements
// `db` runs while it lives (a few milliseconds of a scan), and interrupts
// them (SQLITE_INTERRUPT) once it says yes. An empty `stop` is never asked.
class interrupt_when {
public:
    interrupt_when(sqlite3* db, const std::function<bool()>& stop);
    ~interrupt_when();
    interrupt_when(const interrupt_when&) = delete;
    interrupt_when& operator=(const interrupt_when&) = delete;
    bool interrupted() const { return interrupted_; }

private:
    sqlite3* db_;
    const std::function<bool()>& stop_;
    bool interrupted_ = false;
};

class statement {
public:
    statement(connection& db, std::string_view sql);
    ~statement();
    statement(statement&& other) noexcept;
    statement(const statement&) = delete;
    statement& operator=(const statement&) = delete;

    // Text is copied, unless borrow_text() was called.
    statement& bind(int index, std::string_view text);
    statement& bind_blob(int index, std::string_view bytes);  // copied, or borrowed, as text is
    statement& bind(int index, std::int64_t value);
    statement& bind(int index, std::nullptr_t);
    statement& bind_optional(int index, const std::optional<std::int64_t>& value);

    // True while there is a row; false when done.
    bool step();
    // Runs to completion and resets, for statements that return no rows.
    void run();
    void reset();

    std::int64_t get_int(int col) const;
    std::string get_text(int col) const;
    std::optional<std::int64_t> get_optional_int(int col) const;
    bool is_null(int col) const;
    bool is_text(int col) const;
    // The column's bytes as they are stored, valid until the next step or reset.
    std::string_view get_bytes(int col) const;

    // From now on bound text is not copied: every caller binds values that
    // outlive the step, as in `st.bind(1, a).bind(2, b).run();` (the store's
    // writer, where the copies were a measurable share of each write).
    void borrow_text() { text_lifetime_ = nullptr; }

private:
    connection* db_;
    sqlite3_stmt* stmt_ = nullptr;
    std::string sql_;
    void (*text_lifetime_)(void*);  // SQLITE_TRANSIENT, or SQLITE_STATIC (null) once borrowed
};

// BEGIN IMMEDIATE … COMMIT, rolled back if not committed.
class transaction {
public:
    explicit transaction(connection& db);
    ~transaction();
    void commit();

private:
    connection& db_;
    bool done_ = false;
};

}  // namespace switchboard::store::sqlite
