// Agent management on the data directory. A running server sees new agents
// at once (logins read the store); its agent list refreshes as agents log in
// or at its next start. A password is changed only while no server runs.
#include "switchboard/app/agent_cli.hpp"

#include "switchboard/auth/agents.hpp"
#include "switchboard/store/store.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <cstdio>
#include <iostream>
#include <map>

namespace switchboard::app {

namespace net = boost::asio;

namespace {

constexpr const char* usage =
    "Usage:\n"
    "  switchboard agent add USERNAME --password PASSWORD [--role agent|admin] [--display-name NAME] [--data DIR]\n"
    "  switchboard agent passwd USERNAME --password PASSWORD [--data DIR]\n"
    "  switchboard agent two-factor-off USERNAME [--data DIR]\n"
    "  switchboard agent list [--data DIR]\n"
    "The password may also come from SWITCHBOARD_AGENT_PASSWORD; --data from SWITCHBOARD_DATA.\n";

template <class T>
T run(net::awaitable<T> a) {
    net::io_context ioc;
    auto f = net::co_spawn(ioc, std::move(a), net::use_future);
    ioc.run();
    return f.get();
}

// The audit log's entry for a change made here, by the machine's operator
// rather than an agent: "(operator)", which no username can be.
void record(store::store& db, std::string action, std::string target, std::string details) {
    store::write_batch b;
    b.audit_put.push_back({0, std::chrono::system_clock::now(), "(operator)", std::move(action), std::move(target),
                           std::move(details)});
    run(db.write(std::move(b)));
}

}  // namespace

int run_agent_cli(const std::vector<std::string>& args, const std::vector<std::string>& environment) {
    std::map<std::string, std::string> flags{{"--data", "./data"}, {"--role", "agent"}};
    for (auto& e : environment) {
        if (e.starts_with("SWITCHBOARD_DATA=")) flags["--data"] = e.substr(17);
        if (e.starts_with("SWITCHBOARD_AGENT_PASSWORD=")) flags["--password"] = e.substr(27);
    }
    std::vector<std::string> words;
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i].starts_with("--")) {
            if (i + 1 >= args.size() || args[i] == "--help") {
                std::cerr << usage;
                return args[i] == "--help" ? 0 : 2;
            }
            flags[args[i]] = args[i + 1];
            ++i;
        } else {
            words.push_back(args[i]);
        }
    }
    for (auto& [k, _] : flags)
        if (k != "--data" && k != "--role" && k != "--password" && k != "--display-name") {
            std::cerr << "switchboard agent: unknown option " << k << "\n" << usage;
            return 2;
        }
    // Everything the words alone can refuse is refused before the store is
    // opened: a refused command must not create a data directory (and its
    // admin account) on the way.
    bool known = !words.empty() &&
                 (words[0] == "list" || words[0] == "add" || words[0] == "passwd" || words[0] == "two-factor-off");
    if (!known || (words[0] != "list" && words.size() != 2) || (words[0] == "list" && words.size() != 1)) {
        std::cerr << usage;
        return 2;
    }
    if (words[0] == "two-factor-off") {
        if (auto problem = auth::validate_username(words[1]); !problem.empty()) {
            std::cerr << "switchboard agent: " << problem << "\n";
            return 2;
        }
    } else if (words[0] != "list") {
        if (!flags.count("--password")) {
            std::cerr << "switchboard agent: " << words[0] << " needs --password (or SWITCHBOARD_AGENT_PASSWORD)\n"
                      << usage;
            return 2;
        }
        // The same rules the store's agents are held to, asked first.
        auto problem = auth::validate_username(words[1]);
        if (problem.empty()) problem = auth::validate_password(flags["--password"]);
        if (problem.empty() && words[0] == "add") problem = auth::validate_role(flags["--role"]);
        if (!problem.empty()) {
            std::cerr << "switchboard agent: " << problem << "\n";
            return 2;
        }
    }
    if (flags["--data"] == ":memory:") {
        std::cerr << "switchboard agent: --data must be a directory: an in-memory store has no agents to manage\n";
        return 2;
    }
    try {
        store::sqlite_options o;
        // A running server holds its agents' sessions in memory: a password
        // set behind its back would leave the old password's sessions open
        // until its next start. So passwd waits for the server to stop;
        // add and list go ahead beside it (logins read the store).
        // So do two-factor-off, whose account the server holds in memory too.
        o.lock_directory = words[0] == "passwd" || words[0] == "two-factor-off";
        o.search_index = false;  // the server keeps it
        auto db = store::open_sqlite_store(flags["--data"], o);
        auth::agents_service agents(*db, {});
        if (auto generated = agents.bootstrap({}))  // a new data directory gets its admin here
            std::cout << "admin password: " << *generated << "  (user admin; shown once, change it)\n";
        if (words[0] == "list") {
            std::printf("%-24s %-6s %-9s %-6s %s\n", "USERNAME", "ROLE", "AVAILABLE", "ACTIVE", "DISPLAY NAME");
            for (auto& a : agents.list())
                std::printf("%-24s %-6s %-9s %-6s %s\n", a.username.c_str(), a.role.c_str(), a.available ? "yes" : "no",
                            a.active ? "yes" : "no",
                            a.display_name.c_str());
        } else if (words[0] == "add") {
            auto a = run(agents.create(words[1], flags["--password"], flags["--role"], flags["--display-name"]));
            record(*db, "agent.created", a.username, R"({"role":")" + a.role + R"("})");
            std::cout << "added " << a.role << " " << a.username << "\n";
        } else if (words[0] == "two-factor-off") {
            // The way back in for the team's only admin, who lost their phone
            // and recovery codes: an admin does it for anyone else.
            auth::agent_changes off;
            off.two_factor = false;
            run(agents.update(words[1], off));
            record(*db, "agent.updated", words[1], R"({"two_factor":false})");
            std::cout << "two-factor authentication is off for " << words[1] << "\n";
        } else {  // passwd
            run(agents.set_password(words[1], flags["--password"]));
            record(*db, "agent.updated", words[1], R"({"password_set":true})");
            std::cout << "password changed for " << words[1] << "\n";
        }
        db->close();
        return 0;
    } catch (const store::directory_in_use& e) {
        if (words[0] == "two-factor-off")
            std::cerr << "switchboard agent: " << e.what() << ". That server holds its accounts in memory: stop it "
                      << "first, or have an admin turn it off there with PATCH /agents/" << words[1]
                      << " {\"two_factor\":false}\n";
        else
            std::cerr << "switchboard agent: " << e.what() << ". Its sessions live in that server, so a password set "
                      << "here would leave them open: stop it first, or have an admin set it there with PATCH /agents/"
                      << words[1] << " {\"password\":…}, which ends " << words[1] << "'s sessions at once\n";
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "switchboard agent: " << e.what() << "\n";
        return 1;
    }
}

}  // namespace switchboard::app
