// The switchboard executable: parse flags, then run.
#include "switchboard/app/agent_cli.hpp"
#include "switchboard/app/backup_cli.hpp"
#include "switchboard/app/config.hpp"
#include "switchboard/app/server_app.hpp"

#include <iostream>

extern char** environ;

int main(int argc, char** argv) {
    using switchboard::app::parse_result;
    std::vector<std::string> args(argv + 1, argv + argc);
    std::vector<std::string> env;
    for (char** e = environ; e && *e; ++e) env.emplace_back(*e);

    if (!args.empty() && args[0] == "agent")
        return switchboard::app::run_agent_cli({args.begin() + 1, args.end()}, env);
    if (!args.empty() && args[0] == "backup")
        return switchboard::app::run_backup_cli({args.begin() + 1, args.end()}, env);
    if (!args.empty() && args[0] == "restore")
        return switchboard::app::run_restore_cli({args.begin() + 1, args.end()}, env);
    auto parsed = switchboard::app::parse_config(args, env);
    switch (parsed.what) {
    case parse_result::action::help:
        std::cout << parsed.message << std::flush;
        return 0;
    case parse_result::action::version:
        std::cout << parsed.message << std::endl;
        return 0;
    case parse_result::action::error:
        std::cerr << "switchboard: " << parsed.message << "\nTry 'switchboard --help'." << std::endl;
        return 2;
    case parse_result::action::run:
        break;
    }
    return switchboard::app::run_server(parsed.cfg);
}
