// parallel_for (model.hpp): plain std::threads, chunks fixed by n and threads only.
#pragma once

#include <algorithm>
#include <thread>
#include <vector>

namespace tq::gauss {

template <class F>
void parallel_for(int n, int threads, F&& body) {
    const int workers = std::max(1, std::min(threads, n));
    if (workers <= 1) {
        for (int i = 0; i < n; ++i) body(i);
        return;
    }
    std::vector<std::thread> pool;
    pool.reserve(static_cast<std::size_t>(workers - 1));
    auto chunk = [&](int w) {
        const int lo = static_cast<int>(static_cast<long>(n) * w / workers);
        const int hi = static_cast<int>(static_cast<long>(n) * (w + 1) / workers);
        for (int i = lo; i < hi; ++i) body(i);
    };
    for (int w = 1; w < workers; ++w) pool.emplace_back(chunk, w);
    chunk(0);
    for (auto& t : pool) t.join();
}

}  // namespace tq::gauss
