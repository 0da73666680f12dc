#include "switchboard/app/backup_cli.hpp"

#include "switchboard/store/store.hpp"

#include <iostream>

namespace switchboard::app {

namespace {

constexpr const char* usage =
    "Usage: switchboard backup --to FILE [--data DIR]\n"
    "Copies DIR/switchboard.db (--data, or SWITCHBOARD_DATA; default ./data) to FILE, which must not exist,\n"
    "while a server may be running on it: the copy holds everything acknowledged before it began.\n"
    "To restore, stop the server and put the copy in place of DIR/switchboard.db (with no -wal or -shm file beside it).\n";

}  // namespace

int run_backup_cli(const std::vector<std::string>& args, const std::vector<std::string>& environment) {
    std::string data = "./data", to;
    for (auto& e : environment)
        if (e.starts_with("SWITCHBOARD_DATA=")) data = e.substr(17);
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--help" || args[i] == "-h") {
            std::cout << usage;
            return 0;
        }
        bool has_value = i + 1 < args.size();
        if (args[i] == "--to" && has_value) {
            to = args[++i];
        } else if (args[i] == "--data" && has_value) {
            data = args[++i];
        } else {
            std::cerr << "switchboard backup: unexpected '" << args[i] << "'\n" << usage;
            return 2;
        }
    }
    if (to.empty()) {
        std::cerr << "switchboard backup: --to FILE is required\n" << usage;
        return 2;
    }
    if (data == ":memory:") {
        std::cerr << "switchboard backup: --data :memory: keeps nothing on disk to back up\n";
        return 2;
    }
    try {
        auto done = store::backup_sqlite_store(data, to);
        std::cout << "backed up " << store::sqlite_file_in(data) << " to " << to << ": " << done.conversations
                  << " conversations, " << done.messages << " messages, " << done.bytes << " bytes, schema "
                  << done.schema << std::endl;
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "switchboard backup: " << e.what() << std::endl;
        return 1;
    }
}

}  // namespace switchboard::app
