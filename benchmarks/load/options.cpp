#include "options.hpp"

#include "switchboard/core/whole_number.hpp"

#include <chrono>
#include <sstream>
#include <stdexcept>

namespace switchboard::load {

const char* const usage =
    "usage: switchboard-load --mode ingest|chat|ramp|scale (--url http://HOST:PORT | --spawn BINARY)\n"
    "       [--server-arg ARG]… [--connections N] [--users N] [--agents N] [--rate R] [--duration S]\n"
    "       [--requests N] [--reply-every N] [--p99-bound-ms MS] [--max-rate R] [--admin-password PW]\n"
    "       [--server-pid PID] [--list-readers N] [--list-every S] [--label NAME]\n"
    "       switchboard-load --help\n";

std::string help() {
    const options d;  // the defaults, so the text cannot drift from them
    std::ostringstream h;
    h << "switchboard-load: load for a Switchboard server, measured. Prints a line for people,\n"
         "then one JSON line per run.\n"
         "\n"
         "Modes (--mode):\n"
         "  ingest  webhook load only: throughput, ack latency, and the server's CPU time and\n"
         "          page faults per request (a spawned server, or the one --server-pid names)\n"
         "  chat    users in support chats write at --rate; agents on /ws receive every event,\n"
         "          one of them replies; user -> agent push and agent -> delivery latency, and\n"
         "          lost messages\n"
         "  ramp    chat at rising rates from --rate: the highest whose p99 push stays within\n"
         "          --p99-bound-ms with nothing lost\n"
         "  scale   --users users write once each (or --requests webhooks in all, in turn);\n"
         "          the spawned server's resident memory per conversation; with\n"
         "          --server-arg --data --server-arg DIR, the server is then started again on\n"
         "          that data: how long it took, that every conversation is back, and its\n"
         "          memory then\n"
         "\n"
         "The server:\n"
         "  --url http://HOST:PORT    a running server\n"
         "  --spawn BINARY            start this server (on --port 0, in memory unless\n"
         "                            --server-arg --data --server-arg DIR) and measure it\n"
         "  --server-arg ARG          one more argument for the spawned server (repeatable)\n"
         "  --server-pid PID          ingest against --url: the server process to read /proc of\n"
         "  --admin-password PW       the admin's password, to create the agents (default\n"
         "                            "
      << d.admin_password << ", given to a spawned server)\n"
      << "\n"
         "The load:\n"
         "  --connections N           keep-alive connections for the webhooks (default "
      << d.connections << ")\n"
      << "  --users N                 users, each its own phone number (default " << d.users << ")\n"
      << "  --agents N                agents, each with a /ws socket (default " << d.agents << ")\n"
      << "  --rate R                  messages a second in all, open loop (default " << d.rate
      << ": ingest\n"
         "                            runs closed loop, chat and ramp start at "
      << chat_default_rate << ")\n"
         "  --duration S              seconds to run, or per ramp step (default "
      << d.duration << ")\n"
      << "  --requests N              ingest: send N webhooks instead of running --duration;\n"
         "                            scale: N webhooks over the --users (at least one each)\n"
         "  --reply-every N           an agent answers every Nth message (default "
      << d.reply_every << ")\n"
      << "  --p99-bound-ms MS         ramp: the p99 push latency a step must keep (default "
      << d.p99_bound_ms << ")\n"
      << "  --max-rate R              ramp: the rate it stops at (default " << d.max_rate << ")\n"
      << "  --list-readers N          ingest: N agents (as the admin) load GET /conversations\n"
         "                            meanwhile, each on its own connection, spread over\n"
         "                            --list-every; the lists' latency too (default "
      << d.list_readers << ")\n"
      << "  --list-every S            seconds between one agent's lists, open loop; 0 = as\n"
         "                            soon as the last is in (default "
      << d.list_every << ")\n"
      << "  --label NAME              names the run in the output (default: the mode)\n"
         "\n"
         "Exit code: 0, 1 when anything was lost or refused, 2 on a bad command line.\n";
    return h.str();
}

namespace {

// Each is a socket of the one load process: more is a typing mistake.
constexpr std::uint64_t max_connections = 10000;

bool parse_url(const std::string& v, options& o) {
    auto scheme = v.find("://");
    if (v.rfind("http://", 0) != 0) return false;
    auto rest = v.substr(scheme + 3);
    auto colon = rest.find(':');
    o.host = rest.substr(0, colon);
    o.port = colon == std::string::npos ? "80" : rest.substr(colon + 1, rest.find('/', colon) - colon - 1);
    return !o.host.empty() && !o.port.empty();
}

// A value refused with its option's name, as the message to print.
struct bad_value : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// A count, all of `v` (--connections -1 once opened connections until it hung).
std::uint64_t whole_number(const std::string& key, const std::string& v) {
    if (auto n = parse_whole_number(v)) return *n;
    throw bad_value(key + " must be a whole number, not '" + v + "'");
}

}  // namespace

std::string parse(int argc, char** argv, options& o) {
    o.run_id = std::to_string(std::chrono::system_clock::now().time_since_epoch().count() % 1000000000);
    if ((argc - 1) % 2 != 0) return "every option takes a value";
    try {
        for (int i = 1; i + 1 < argc; i += 2) {
            std::string k = argv[i], v = argv[i + 1];
            if (k == "--url") {
                if (!parse_url(v, o)) return "--url must look like http://127.0.0.1:8080";
            } else if (k == "--mode") o.mode = v;
            else if (k == "--spawn") o.spawn = v;
            else if (k == "--server-arg") o.server_args.push_back(v);
            else if (k == "--label") o.label = v;
            else if (k == "--server-pid") o.server_pid = std::stol(v);
            else if (k == "--admin-password") o.admin_password = v;
            else if (k == "--connections") o.connections = whole_number(k, v);
            else if (k == "--agents") o.agents = whole_number(k, v);
            else if (k == "--list-readers") o.list_readers = whole_number(k, v);
            else if (k == "--list-every") o.list_every = std::stod(v);
            else if (k == "--reply-every") o.reply_every = whole_number(k, v);
            else if (k == "--users" || k == "--conversations") o.users = whole_number(k, v);
            else if (k == "--requests") o.requests = whole_number(k, v);
            else if (k == "--rate") o.rate = std::stod(v);
            else if (k == "--duration") o.duration = std::stod(v);
            else if (k == "--p99-bound-ms") o.p99_bound_ms = std::stod(v);
            else if (k == "--max-rate") o.max_rate = std::stod(v);
            else return "unknown option " + k;
        }
    } catch (const bad_value& e) {
        return e.what();
    } catch (const std::logic_error&) {
        return "a numeric option has a value that is not a number";
    }
    if (o.label.empty()) o.label = o.mode;
    if (o.mode != "ingest" && o.mode != "chat" && o.mode != "ramp" && o.mode != "scale")
        return "--mode must be ingest, chat, ramp or scale";
    if (o.connections == 0 || o.users == 0) return "--connections and --users must be at least 1";
    if (o.connections > max_connections || o.agents > max_connections || o.list_readers > max_connections)
        return "--connections, --agents and --list-readers must be at most " + std::to_string(max_connections);
    if (o.list_readers > 0 && o.mode != "ingest") return "--list-readers goes with --mode ingest";
    if (!(o.list_every >= 0 && o.list_every <= 3600)) return "--list-every must be from 0 to 3600 seconds";
    if ((o.mode == "chat" || o.mode == "ramp") && o.agents == 0) return "--agents must be at least 1";
    if (o.port.empty() && o.spawn.empty()) return "give --url or --spawn";
    if (o.server_pid < 0) return "--server-pid must be a process id";
    if (o.server_pid > 0 && o.mode != "ingest") return "--server-pid is read in --mode ingest only";
    if (o.server_pid > 0 && !o.spawn.empty()) return "--server-pid is for a server given by --url (a spawned one is measured anyway)";
    if (o.mode == "scale" && o.spawn.empty()) return "--mode scale needs --spawn (it reads the server's memory)";
    if (o.mode == "scale" && o.requests > 0 && o.requests < o.users)
        return "--requests in --mode scale is webhooks in all, at least one for each of the --users";
    if (o.rate < 0 || o.duration <= 0 || o.p99_bound_ms <= 0) return "--rate, --duration and --p99-bound-ms must be positive";
    return {};
}

}  // namespace switchboard::load
