#include "switchboard/app/backup_cli.hpp"

#include "switchboard/store/store.hpp"

#include <iostream>
#include <variant>

namespace switchboard::app {

namespace {

constexpr const char* backup_usage =
    "Usage: switchboard backup --to FILE [--data DIR]\n"
    "Copies DIR/switchboard.db (--data, or SWITCHBOARD_DATA; default ./data) to FILE, which must not exist,\n"
    "while a server may be running on it: the copy holds everything acknowledged before it began.\n";

constexpr const char* restore_usage =
    "Usage: switchboard restore --from FILE [--data DIR]\n"
    "Puts the backup FILE in place of DIR/switchboard.db (--data, or SWITCHBOARD_DATA; default ./data),\n"
    "with the server stopped. The database it replaces is kept beside it, renamed.\n";

struct cli_flags {
    std::string data = "./data";
    std::string file;  // --to or --from
};

// The flags, or the exit code to leave with (help, or a usage error).
std::variant<cli_flags, int> parse(const std::vector<std::string>& args, const std::vector<std::string>& environment,
                                   const std::string& file_flag, const char* usage, const std::string& command) {
    cli_flags f;
    for (auto& e : environment)
        if (e.starts_with("SWITCHBOARD_DATA=")) f.data = e.substr(17);
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--help" || args[i] == "-h") {
            std::cout << usage;
            return 0;
        }
        bool has_value = i + 1 < args.size();
        if (args[i] == file_flag && has_value) {
            f.file = args[++i];
        } else if (args[i] == "--data" && has_value) {
            f.data = args[++i];
        } else {
            std::cerr << "switchboard " << command << ": unexpected '" << args[i] << "'\n" << usage;
            return 2;
        }
    }
    if (f.file.empty()) {
        std::cerr << "switchboard " << command << ": " << file_flag << " FILE is required\n" << usage;
        return 2;
    }
    if (f.data == ":memory:") {
        std::cerr << "switchboard " << command << ": --data :memory: keeps nothing on disk\n";
        return 2;
    }
    return f;
}

std::ostream& counts(std::ostream& out, const store::backup_summary& s) {
    return out << s.conversations << " conversations, " << s.messages << " messages, " << s.bytes << " bytes, schema "
               << s.schema;
}

}  // namespace

int run_backup_cli(const std::vector<std::string>& args, const std::vector<std::string>& environment) {
    auto parsed = parse(args, environment, "--to", backup_usage, "backup");
    if (auto* code = std::get_if<int>(&parsed)) return *code;
    auto& f = std::get<cli_flags>(parsed);
    try {
        auto done = store::backup_sqlite_store(f.data, f.file);
        counts(std::cout << "backed up " << store::sqlite_file_in(f.data) << " to " << f.file << ": ", done) << std::endl;
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "switchboard backup: " << e.what() << std::endl;
        return 1;
    }
}

int run_restore_cli(const std::vector<std::string>& args, const std::vector<std::string>& environment) {
    auto parsed = parse(args, environment, "--from", restore_usage, "restore");
    if (auto* code = std::get_if<int>(&parsed)) return *code;
    auto& f = std::get<cli_flags>(parsed);
    try {
        auto done = store::restore_sqlite_store(f.data, f.file);
        counts(std::cout << "restored " << f.file << " to " << store::sqlite_file_in(f.data) << ": ", done) << std::endl;
        if (!done.replaced.empty()) std::cout << "the database it replaced is now " << done.replaced << std::endl;
        return 0;
    } catch (const store::directory_in_use& e) {
        std::cerr << "switchboard restore: " << e.what() << "; stop it first" << std::endl;
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "switchboard restore: " << e.what() << std::endl;
        return 1;
    }
}

}  // namespace switchboard::app
