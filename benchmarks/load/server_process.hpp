// A server this tool starts itself (--spawn), so that it can read its memory.
#pragma once

#include "options.hpp"

#include <sys/types.h>

#include <optional>
#include <string>

namespace switchboard::load {

class server_process {
public:
    // Starts `o.spawn` on --port 0 with its outbound messages going to
    // `receiver_port` (none when 0), and waits for it to say which port it listens on.
    server_process(const options& o, unsigned short receiver_port);
    ~server_process();
    server_process(const server_process&) = delete;
    server_process& operator=(const server_process&) = delete;

    const std::string& port() const { return port_; }
    pid_t pid() const { return pid_; }

private:
    pid_t pid_ = -1;
    std::string port_;
};

// The --data given among --server-arg ("" when it ends the list), if any; a
// spawned server without one runs in memory.
std::optional<std::string> data_arg(const options& o);

// VmRSS of a process in kB, or -1 when it cannot be read.
long long rss_kb(pid_t pid);

// What a process has used so far, from /proc/<pid>/stat: CPU time in its
// own threads (10 ms ticks) and minor page faults (a page first touched);
// and from each thread's status, how often one slept waiting for something
// (voluntary context switches): every such sleep ends in a wakeup, which on
// a virtual machine can cost ten system calls (benchmarks/machine_costs).
struct process_usage {
    double user_seconds = 0, system_seconds = 0;
    unsigned long long minor_faults = 0;
    unsigned long long sleeps = 0;
    double cpu_seconds() const { return user_seconds + system_seconds; }
};
std::optional<process_usage> read_usage(pid_t pid);
// The same for this process (getrusage, to the microsecond): the load
// tool's own share of a machine it shares with the server.
process_usage own_usage();

// The whole machine's CPU time so far, from /proc/stat's "cpu" line, in
// ticks: on a virtual machine the host may take some of it (steal) for
// other guests, and a run that lost a third of its CPU that way measured
// the host, not the server.
struct machine_usage {
    unsigned long long busy = 0, idle = 0, steal = 0;  // idle counts iowait
    unsigned long long total() const { return busy + idle + steal; }
};
std::optional<machine_usage> read_machine_usage();

}  // namespace switchboard::load
