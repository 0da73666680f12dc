// switchboard-load: drives a Switchboard (or the bare ceiling) over loopback
// and reports what users and agents would feel, as a table line and one JSON
// line per run.
//
// ingest: webhook load only; --rate 0 is closed loop, --rate R open loop.
// chat:   users in open chats write at a total open-loop rate R while agents
//         watch /ws and answer every Nth message through chat-support/send to
//         this tool's own outbound receiver. Measures webhook ack, user → agent
//         push and agent → outbound delivery latency, and counts lost messages
//         (acknowledged but never pushed or delivered). Needs --spawn (the tool
//         sets --outbound-url) or a server whose --outbound-url is the receiver.
// ramp:   chat at rising rates (each --duration long) to find the highest rate
//         whose p99 push latency stays within --p99-bound-ms with nothing lost.
// scale:  opens --users conversations (with --requests, webhooks in all, in
//         turn: a history each) and reports resident memory per
//         conversation (needs --spawn); with its data on disk, then stops the
//         server and starts it again, and reports how long that took.
//
// Exit code 1 when anything was lost or failed.
#include "chat_bench.hpp"
#include "http.hpp"
#include "list_readers.hpp"
#include "options.hpp"
#include "server_process.hpp"
#include "webhook_users.hpp"

#include "switchboard/core/json_text.hpp"
#include "switchboard/core/metrics.hpp"

#include <boost/json/value.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string_view>

namespace json = boost::json;
using namespace switchboard::load;

namespace {

double ms(std::uint64_t us) { return static_cast<double>(us) / 1000.0; }

json::object hist_json(const histogram& h) {
    return {{"count", h.count()}, {"p50_ms", ms(h.quantile(0.5))}, {"p90_ms", ms(h.quantile(0.9))},
            {"p99_ms", ms(h.quantile(0.99))}, {"max_ms", ms(h.max())}};
}

json::object phase_json(const phase_result& r) {
    return {{"rate", r.rate},
            {"messages", r.messages},
            {"seconds", r.seconds},
            {"errors", r.errors},
            {"webhook_ack", hist_json(r.ack)},
            {"push_user_to_agent", hist_json(r.push)},
            {"delivery_agent_to_outbound", hist_json(r.delivery)},
            {"replies_delivered", r.replies_delivered},
            {"lost_pushes", r.lost_pushes},
            {"lost_replies", r.lost_replies},
            {"agent_sockets_dropped", r.socket_drops}};
}

void print_phase(const std::string& label, const phase_result& r) {
    std::printf("%-30s %llu msgs at %.0f/s  ack p99 %.2f ms  push p50 %.2f p99 %.2f ms  delivery p99 %.2f ms  "
                "lost %llu+%llu  errors %llu  sockets dropped %llu\n",
                label.c_str(), static_cast<unsigned long long>(r.messages), r.rate, ms(r.ack.quantile(0.99)),
                ms(r.push.quantile(0.5)), ms(r.push.quantile(0.99)), ms(r.delivery.quantile(0.99)),
                static_cast<unsigned long long>(r.lost_pushes), static_cast<unsigned long long>(r.lost_replies),
                static_cast<unsigned long long>(r.errors), static_cast<unsigned long long>(r.socket_drops));
    std::fflush(stdout);
}

bool lost(const phase_result& r) { return r.lost_pushes || r.lost_replies; }

// The server's CPU time and page faults per acknowledged request over the
// run, when its process can be read: less noisy than throughput on a shared
// machine, and they show where a server's time goes (docs/benchmarks.md).
void report_server_usage(pid_t pid, const process_usage& before, std::uint64_t requests, json::object& out) {
    auto after = read_usage(pid);
    if (!after || requests == 0) return;
    double n = static_cast<double>(requests);
    double user = (after->user_seconds - before.user_seconds) * 1e6 / n;
    double system = (after->system_seconds - before.system_seconds) * 1e6 / n;
    double faults = static_cast<double>(after->minor_faults - before.minor_faults) / n;
    double sleeps = static_cast<double>(after->sleeps - before.sleeps) / n;
    out["server_cpu_us_per_request"] = user + system;
    out["server_user_us_per_request"] = user;
    out["server_system_us_per_request"] = system;
    out["server_page_faults_per_request"] = faults;
    out["server_sleeps_per_request"] = sleeps;
    std::printf("%-30s server CPU %.1f µs a request (user %.1f, system %.1f), %.2f page faults and %.3f sleeps a "
                "request\n",
                "", user + system, user, system, faults, sleeps);
}

// How much of the machine's CPU the host took for others (steal) over the
// run, and how much was idle: a ratio measured while the host took a third
// is not a figure of the server.
void report_machine(const machine_usage& before, json::object& out) {
    auto after = read_machine_usage();
    if (!after || after->total() <= before.total()) return;
    auto total = static_cast<double>(after->total() - before.total());
    double steal = static_cast<double>(after->steal - before.steal) / total;
    double idle = static_cast<double>(after->idle - before.idle) / total;
    out["machine_steal_share"] = steal;
    out["machine_idle_share"] = idle;
    std::printf("%-30s machine: %.0f%% of its CPU taken by the host (steal), %.0f%% idle%s\n", "", steal * 100,
                idle * 100, steal >= 0.05 ? ": a noisy figure" : "");
}

// The lists that agents loaded during a run: how many, how fast.
void report_lists(const list_readers& r, json::object& out) {
    out["list_loads"] = r.loads;
    out["list_errors"] = r.errors;
    out["list"] = hist_json(r.latency);
    std::printf("%-30s %llu lists loaded  p50 %.2f ms  p99 %.2f ms  max %.2f ms  errors %llu%s%s\n", "",
                static_cast<unsigned long long>(r.loads), ms(r.latency.quantile(0.5)), ms(r.latency.quantile(0.99)),
                ms(r.latency.max()), static_cast<unsigned long long>(r.errors), r.failure.empty() ? "" : ": ",
                r.failure.c_str());
}

int ingest(options& o, json::object& out) {
    std::optional<server_process> spawned;
    if (!o.spawn.empty()) {
        spawned.emplace(o, 0);
        o.port = spawned->port();
    }
    pid_t pid = spawned ? spawned->pid() : static_cast<pid_t>(o.server_pid);
    // Logged in and loading before the webhooks' clock starts.
    std::optional<list_readers> readers;
    if (o.list_readers) readers.emplace(o, o.list_readers, o.list_every);
    auto usage_before = pid > 0 ? read_usage(pid) : std::nullopt;
    if (pid > 0 && !usage_before) throw std::runtime_error("cannot read /proc/" + std::to_string(pid) + "/stat");

    webhook_load load;
    load.count = o.requests ? o.requests : UINT64_MAX;
    load.connections = o.connections;
    load.rate = o.rate;
    load.start = clock_type::now();
    if (!o.requests)
        load.stop_at = load.start + std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(o.duration));
    load.text_of = [](std::uint64_t i) { return "load message " + std::to_string(i); };
    load.id_of = [&](std::uint64_t i) { return "L" + o.run_id + "-" + std::to_string(i); };
    auto tool_before = own_usage();
    auto machine_before = read_machine_usage();
    run_webhook_load(o, load);
    double secs = std::chrono::duration<double>(clock_type::now() - load.start).count();
    if (readers) readers->stop();  // may wait out a paced reader's interval: after the clock
    double tput = static_cast<double>(load.acked) / secs;
    // The tool shares the machine with the server: its own CPU a request
    // says how much of the machine the measurement itself took.
    auto tool_after = own_usage();
    double tool_us =
        load.acked ? (tool_after.cpu_seconds() - tool_before.cpu_seconds()) * 1e6 / static_cast<double>(load.acked) : 0.0;
    // How often the tool ran out of answers and slept: each time, an answer
    // had to wake it, at the server's cost as well as its own.
    double tool_sleeps =
        load.acked ? static_cast<double>(tool_after.sleeps - tool_before.sleeps) / static_cast<double>(load.acked) : 0.0;
    out["rate"] = o.rate;
    out["requests"] = load.acked;
    out["errors"] = load.errors;
    out["unanswered"] = load.unanswered;
    out["seconds"] = secs;
    out["throughput"] = tput;
    out["p50_ms"] = ms(load.ack.quantile(0.5));
    out["p90_ms"] = ms(load.ack.quantile(0.9));
    out["p99_ms"] = ms(load.ack.quantile(0.99));
    out["p999_ms"] = ms(load.ack.quantile(0.999));
    out["max_ms"] = ms(load.ack.max());
    out["load_cpu_us_per_request"] = tool_us;
    out["load_sleeps_per_request"] = tool_sleeps;
    std::printf("%-30s %9.0f req/s  p50 %7.2f ms  p99 %7.2f ms  max %7.2f ms  errors %llu  load tool CPU %.1f µs and "
                "%.3f sleeps a request\n",
                o.label.c_str(), tput, ms(load.ack.quantile(0.5)), ms(load.ack.quantile(0.99)), ms(load.ack.max()),
                static_cast<unsigned long long>(load.errors), tool_us, tool_sleeps);
    if (load.unanswered)
        std::printf("%-30s %llu unanswered (connection broken or refused), the first: %s\n", "",
                    static_cast<unsigned long long>(load.unanswered), load.first_failure.c_str());
    if (usage_before) report_server_usage(pid, *usage_before, load.acked, out);
    if (machine_before) report_machine(*machine_before, out);
    if (readers) {
        report_lists(*readers, out);
        if (readers->errors) return 1;
    }
    return load.errors ? 1 : 0;
}

// A spawned server keeps its data on disk (--server-arg --data DIR), so a
// second start finds the first one's conversations.
bool data_on_disk(const options& o) {
    auto data = data_arg(o);
    return data && !data->empty() && *data != ":memory:";
}

int scale(options& o, json::object& out) {
    std::optional<server_process> server(std::in_place, o, 0);
    o.port = server->port();
    auto before = rss_kb(server->pid());
    webhook_load load;
    // One webhook each, or --requests of them in turn: conversations with a history.
    load.count = std::max(o.requests, o.users);
    load.connections = o.connections;
    load.text_of = [](std::uint64_t) { return std::string("hi"); };
    load.id_of = [&](std::uint64_t i) { return "S" + o.run_id + "-" + std::to_string(i); };
    run_webhook_load(o, load);
    auto after = rss_kb(server->pid());
    auto per_conversation = [&](long long rss) { return static_cast<double>(rss - before) * 1024.0 / static_cast<double>(o.users); };
    double webhooks_each = static_cast<double>(load.count) / static_cast<double>(o.users);
    out["rss_before_kb"] = before;
    out["rss_after_kb"] = after;
    out["webhooks_per_conversation"] = webhooks_each;
    out["bytes_per_conversation"] = per_conversation(after);
    out["errors"] = load.errors;
    std::printf("%-30s %llu conversations, %g webhooks each  RSS %lld → %lld kB  %.0f bytes per conversation  errors %llu\n",
                o.label.c_str(), static_cast<unsigned long long>(o.users), webhooks_each, before, after,
                per_conversation(after), static_cast<unsigned long long>(load.errors));
    // An agent's console loading its list among all those conversations.
    list_readers lists(o, 1, 0, 20);
    lists.wait();
    report_lists(lists, out);
    if (lists.errors) return 1;
    if (!data_on_disk(o)) return load.errors ? 1 : 0;

    // Stopped and started again on the same data: how long until it
    // listens, every conversation restored, and what it holds then.
    server.reset();
    auto started = clock_type::now();
    server.emplace(o, 0);
    double restart = std::chrono::duration<double>(clock_type::now() - started).count();
    o.port = server->port();
    auto restored = switchboard::metrics::sample_value(get_body(o, "/metrics"), "switchboard_conversations").value_or(0);
    auto rss_restarted = rss_kb(server->pid());
    out["restart_seconds"] = restart;
    out["conversations_restored"] = restored;
    out["rss_after_restart_kb"] = rss_restarted;
    out["bytes_per_conversation_after_restart"] = per_conversation(rss_restarted);
    bool all_back = restored >= static_cast<double>(o.users);
    std::printf("%-30s started again in %.2f s  %.0f conversations restored  RSS %lld kB  %.0f bytes per conversation%s\n",
                o.label.c_str(), restart, restored, rss_restarted, per_conversation(rss_restarted),
                all_back ? "" : "  MISSING CONVERSATIONS");
    return load.errors || !all_back ? 1 : 0;
}

int chat(options& o, json::object& out) {
    chat_bench bench(o);
    bench.setup();
    auto machine_before = read_machine_usage();
    auto r = bench.run_phase(o.rate > 0 ? o.rate : chat_default_rate, o.duration);
    print_phase(o.label, r);
    out["agents"] = o.agents;
    for (auto& [k, v] : phase_json(r)) out[k] = v;
    if (machine_before) report_machine(*machine_before, out);
    if (auto rss = bench.server_rss_kb(); rss >= 0) out["server_rss_kb"] = rss;
    return lost(r) || r.errors ? 1 : 0;
}

// Rates grow by half each step until one misses the bound; then three
// bisections between the last pass and the first miss. At most 15 steps.
int ramp(options& o, json::object& out) {
    chat_bench bench(o);
    bench.setup();
    auto passes = [&](const phase_result& r) {
        return !lost(r) && r.errors == 0 && r.socket_drops == 0 && ms(r.push.quantile(0.99)) <= o.p99_bound_ms &&
               // The users must have kept the rate: an overloaded tool or server sends late.
               r.seconds <= o.duration * 1.1 + 0.5;
    };
    json::array steps;
    bool lost_any = false;
    double best = 0, miss = 0;
    auto step = [&](double rate) {
        auto r = bench.run_phase(rate, o.duration);
        bool ok = passes(r);
        print_phase(o.label + (ok ? " pass" : " miss"), r);
        auto j = phase_json(r);
        j["pass"] = ok;
        steps.push_back(std::move(j));
        lost_any = lost_any || lost(r);
        return ok;
    };
    for (double rate = o.rate > 0 ? o.rate : chat_default_rate; steps.size() < 12; rate = std::min(rate * 1.5, o.max_rate)) {
        if (!step(rate)) {
            miss = rate;
            break;
        }
        best = rate;
        if (rate >= o.max_rate) break;
    }
    for (int i = 0; i < 3 && miss > 0; ++i) {
        double mid = (best + miss) / 2;
        if (step(mid))
            best = mid;
        else
            miss = mid;
    }
    std::printf("%-30s highest rate with p99 push ≤ %g ms and nothing lost: %.0f msgs/s\n", o.label.c_str(),
                o.p99_bound_ms, best);
    out["agents"] = o.agents;
    out["p99_bound_ms"] = o.p99_bound_ms;
    out["max_rate_within_bound"] = best;
    out["steps"] = std::move(steps);
    if (auto rss = bench.server_rss_kb(); rss >= 0) out["server_rss_kb"] = rss;
    return lost_any ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
    options o;
    if (argc == 2 && (std::string_view(argv[1]) == "--help" || std::string_view(argv[1]) == "-h")) {
        std::cout << usage << "\n" << help();
        return 0;
    }
    if (auto error = parse(argc, argv, o); !error.empty()) {
        std::cerr << "switchboard-load: " << error << "\n" << usage;
        return 2;
    }
    try {
        json::object out{{"label", o.label}, {"mode", o.mode}, {"connections", o.connections}, {"users", o.users}};
        int rc = o.mode == "ingest" ? ingest(o, out)
                 : o.mode == "scale" ? scale(o, out)
                 : o.mode == "chat"  ? chat(o, out)
                                     : ramp(o, out);
        std::cout << switchboard::json_text(out) << std::endl;
        return rc;
    } catch (const std::exception& e) {
        std::cerr << "switchboard-load: " << e.what() << "\n";
        return 1;
    }
}
