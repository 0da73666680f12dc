// What a system call and a first write to a page cost on this machine, and
// how much of each the kernel books as user time. On a virtual machine both
// can cost many times what they do on bare metal, and part of the host's
// work lands in the guest's user time: the ingest ratios and the servers'
// user and system time a request read differently from one machine to the
// next, so benchmarks/run prints these beside them.
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

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

    std::printf("system call (getppid)       %6.2f µs wall, %5.2f user, %5.2f system\n", call.wall_us, call.user_us,
                call.system_us);
    std::printf("first write to a 4 KB page  %6.2f µs wall, %5.2f user, %5.2f system\n", fault.wall_us, fault.user_us,
                fault.system_us);
    std::printf("{\"mode\":\"machine\",\"syscall_wall_us\":%.3f,\"syscall_user_us\":%.3f,\"syscall_system_us\":%.3f,"
                "\"page_fault_wall_us\":%.3f,\"page_fault_user_us\":%.3f,\"page_fault_system_us\":%.3f}\n",
                call.wall_us, call.user_us, call.system_us, fault.wall_us, fault.user_us, fault.system_us);
    return 0;
}
