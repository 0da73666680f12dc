// What a system call, a first write to a page and waking a thread on the
// other core cost on this machine, and how much of each the kernel books as
// user time. On a virtual machine both
// can cost many times what they do on bare metal, and part of the host's
// work lands in the guest's user time: the ingest ratios and the servers'
// user and system time a request read differently from one machine to the
// next, so benchmarks/run prints these beside them.
#include <pthread.h>
#include <sched.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdint>
#include <cstdlib>
#include <thread>

namespace {

struct cost {
    double wall_us, user_us, system_us;
};

double micros(const timeval& t) { return static_cast<double>(t.tv_sec) * 1e6 + static_cast<double>(t.tv_usec); }

// The wall, user and system time of `n` rounds of `f`, a round each.
template <class F>
cost per_round(long n, F f) {
    rusage before{}, after{};
    getrusage(RUSAGE_SELF, &before);
    auto start = std::chrono::steady_clock::now();
    for (long i = 0; i < n; ++i) f(i);
    auto wall = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count();
    getrusage(RUSAGE_SELF, &after);
    auto d = static_cast<double>(n);
    return {wall / d, (micros(after.ru_utime) - micros(before.ru_utime)) / d,
            (micros(after.ru_stime) - micros(before.ru_stime)) / d};
}

// Pins the calling thread to `cpu`; false where it may not run there.
bool pin_to(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return pthread_setaffinity_np(pthread_self(), sizeof set, &set) == 0;
}

// Two threads on two cores hand a token back and forth through eventfds,
// each sleeping in read() until the other writes: every handoff wakes a
// sleeping thread on the other core, as a server's write wakes a load
// generator that ran out of answers, or one io thread another. Returns
// the cost of one handoff (a round is two); CPU time is both threads'.
cost per_wakeup(long rounds) {
    int ping = eventfd(0, 0), pong = eventfd(0, 0);
    if (ping < 0 || pong < 0) {
        std::perror("machine_costs: eventfd");
        std::exit(1);
    }
    auto give = [](int fd) {
        std::uint64_t v = 1;
        if (write(fd, &v, sizeof v) != sizeof v) std::abort();
    };
    auto take = [](int fd) {
        std::uint64_t v = 0;
        if (read(fd, &v, sizeof v) != sizeof v) std::abort();
    };
    std::thread other([&] {
        pin_to(1);
        for (long i = 0; i < rounds; ++i) take(ping), give(pong);
    });
    pin_to(0);
    // RUSAGE_SELF is the whole process: both threads.
    auto round = per_round(rounds, [&](long) { give(ping), take(pong); });
    other.join();
    close(ping), close(pong);
    return {round.wall_us / 2, round.user_us / 2, round.system_us / 2};
}

}  // namespace

int main() {
    // The cheapest system call there is: what entering the kernel costs.
    auto call = per_round(1'000'000, [](long) { syscall(SYS_getppid); });

    // A page never touched before: the kernel's fault, and the host backing
    // it. 64 MB, as a growing heap would take it.
    constexpr long pages = 16384;
    auto page = static_cast<long>(sysconf(_SC_PAGESIZE));
    auto* mem = static_cast<volatile char*>(
        mmap(nullptr, static_cast<std::size_t>(pages * page), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    if (mem == MAP_FAILED) {
        std::perror("machine_costs: mmap");
        return 1;
    }
    auto fault = per_round(pages, [&](long i) { mem[i * page] = 1; });

    auto wakeup = per_wakeup(20'000);

    std::printf("system call (getppid)              %6.2f µs wall, %5.2f user, %5.2f system\n", call.wall_us, call.user_us,
                call.system_us);
    std::printf("first write to a 4 KB page         %6.2f µs wall, %5.2f user, %5.2f system\n", fault.wall_us, fault.user_us,
                fault.system_us);
    std::printf("waking a thread on the other core  %6.2f µs wall, %5.2f user, %5.2f system (both threads)\n",
                wakeup.wall_us, wakeup.user_us, wakeup.system_us);
    std::printf("{\"mode\":\"machine\",\"syscall_wall_us\":%.3f,\"syscall_user_us\":%.3f,\"syscall_system_us\":%.3f,"
                "\"page_fault_wall_us\":%.3f,\"page_fault_user_us\":%.3f,\"page_fault_system_us\":%.3f,"
                "\"wakeup_wall_us\":%.3f,\"wakeup_user_us\":%.3f,\"wakeup_system_us\":%.3f}\n",
                call.wall_us, call.user_us, call.system_us, fault.wall_us, fault.user_us, fault.system_us,
                wakeup.wall_us, wakeup.user_us, wakeup.system_us);
    return 0;
}
